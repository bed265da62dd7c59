select
    o.order_id,
    o.customer_id,
    o.ordered_at,
    o.amount
from {{ ref('stg_orders') }} as o
