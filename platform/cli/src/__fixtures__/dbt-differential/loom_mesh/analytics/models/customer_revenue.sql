select c.customer_id, c.full_name, c.region, coalesce(sum(o.amount), 0) as revenue, count(o.order_id) as orders
from {{ ref('core', 'dim_customers', v=2) }} as c
left join {{ ref('core', 'fct_orders') }} as o using (customer_id)
group by 1, 2, 3
