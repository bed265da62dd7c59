select
  c.id as customer_id,
  c.name,
  count(o.order_id) as orders,
  coalesce(sum(o.amount), 0) as amount,
  coalesce(sum(o.amount), 0) >= {{ var('vip_threshold') }} as vip,
  '{{ env_var('REPORT_CURRENCY', 'EUR') }}' as currency
from {{ ref('raw_customers') }} c
left join {{ ref('stg_orders') }} o on o.customer_id = c.id and o.status = 'paid'
group by all
