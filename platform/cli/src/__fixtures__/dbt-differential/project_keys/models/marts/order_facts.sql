select
    o.order_id,
    o.customer_id,
    o.status,
    o.is_paid,
    coalesce(sum(p.amount), 0) as paid_amount,
    count(p.order_id) as payments
from {{ ref('stg_orders') }} as o
left join {{ ref('stg_payments') }} as p using (order_id)
group by 1, 2, 3, 4
