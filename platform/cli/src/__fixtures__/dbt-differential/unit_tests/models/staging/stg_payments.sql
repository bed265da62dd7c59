select order_id, method, amount_cents from {{ source('raw', 'payments') }}
