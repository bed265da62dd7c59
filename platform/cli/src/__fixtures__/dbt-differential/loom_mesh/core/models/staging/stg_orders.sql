select id as order_id, customer_id, amount, ordered_at from {{ ref('raw_orders') }}
