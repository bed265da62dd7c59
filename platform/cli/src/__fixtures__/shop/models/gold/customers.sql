select
  c.customer_id,
  c.first_name,
  count(o.order_id)::bigint as order_count,
  coalesce(sum(o.amount_cents), 0)::bigint as lifetime_value_cents
from {{ ref('stg_customers') }} as c
left join {{ ref('orders') }} as o using (customer_id)
group by all
