select c.customer_id, c.full_name, c.country, count(o.order_id) as orders
from {{ ref('stg_customers') }} as c
left join {{ ref('stg_orders') }} as o using (customer_id)
group by 1, 2, 3
