{{ config(materialized='incremental', unique_key='order_id') }}
select
  o.order_id,
  o.customer_id,
  o.order_date,
  o.status,
  coalesce(p.amount_cents, 0)::bigint as amount_cents,
  {{ cents_to_dollars('coalesce(p.amount_cents, 0)') }} as amount
from {{ ref('stg_orders') }} as o
left join {{ ref('stg_payments') }} as p using (order_id)
{% if is_incremental() %}
where o.order_date >= (select max(order_date) from {{ this }})
{% endif %}
