select c.customer_id, c.full_name, c.country, coalesce(c.segment, 'unknown') as segment,
       count(o.order_id) as orders, coalesce(sum(o.amount) filter (where o.status = 'paid'), 0) as revenue
from {{ ref('stg_customers') }} as c
left join {{ ref('stg_orders') }} as o using (customer_id)
group by 1, 2, 3, 4
