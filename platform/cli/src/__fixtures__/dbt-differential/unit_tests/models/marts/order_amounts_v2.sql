select order_id, amount, amount * 100 as amount_cents from {{ ref('stg_orders') }}
