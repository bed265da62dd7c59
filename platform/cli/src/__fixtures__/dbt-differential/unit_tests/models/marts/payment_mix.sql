select p.method, count(*) as payments, sum(o.amount) as amount
from {{ ref('stg_payments') }} p
join {{ ref('stg_orders') }} o on o.order_id = p.order_id
group by p.method
