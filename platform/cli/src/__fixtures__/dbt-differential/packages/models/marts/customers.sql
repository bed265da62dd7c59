select
  customer_name,
  count(*) as orders,
  sum(amount) as revenue,
  {{ acme_utils.safe_divide('sum(amount)', 'count(*)') }} as average_order,
  {{ shop_rules.order_band('sum(amount)') }} as band
from {{ ref('stg_orders') }}
group by customer_name
