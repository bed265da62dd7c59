select id as order_id, customer_id, status, {{ cents_to_euros('amount_cents') }} as amount, ordered_at
from {{ ref('raw_orders') }}
