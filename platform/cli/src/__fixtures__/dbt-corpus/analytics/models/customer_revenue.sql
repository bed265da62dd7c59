with customers as (
    select * from {{ ref('core_platform', 'dim_customers') }}
),

orders as (
    select * from {{ ref('core_platform', 'fct_orders') }}
)

select
    customers.customer_id,
    customers.first_name || ' ' || customers.last_name as customer_name,
    customers.country_code,
    count(orders.order_id) as order_count,
    coalesce(sum(orders.amount), 0) as revenue
from customers
left join orders on orders.customer_id = customers.customer_id
group by all
