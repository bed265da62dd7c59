-- Every paid order has at least one payment.
select o.order_id
from {{ ref('stg_orders') }} as o
left join {{ ref('stg_payments') }} as p using (order_id)
where o.is_paid and p.order_id is null
