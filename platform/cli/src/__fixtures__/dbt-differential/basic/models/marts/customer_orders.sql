with orders as (
    select customer_id, count(*) as orders, sum(amount) as revenue, min(ordered_at) as first_order
    from {{ ref('stg_orders') }}
    group by customer_id
)
select c.customer_id, c.full_name, coalesce(o.orders, 0) as orders, o.revenue, o.first_order
from {{ ref('stg_customers') }} c
left join orders o using (customer_id)
