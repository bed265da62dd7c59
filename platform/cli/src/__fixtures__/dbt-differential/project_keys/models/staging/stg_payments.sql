select
    order_id,
    method,
    amount,
    {{ to_cents('amount') }} as amount_cents,
    cast(paid_at as timestamp) as paid_at
from {{ ref('raw_payments') }}
