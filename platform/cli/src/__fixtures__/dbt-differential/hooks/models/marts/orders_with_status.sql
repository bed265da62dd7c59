select
  o.order_id,
  o.status_code,
  coalesce(s.label, 'unknown') as status
from {{ ref('stg_orders') }} as o
left join {{ source('lookups', 'status_codes') }} as s on s.code = o.status_code
