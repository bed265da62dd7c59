select customer_id, sum(amount) as revenue, count(*) as paid_orders
from {{ ref('int_paid_orders') }}
group by 1
