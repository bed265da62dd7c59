select
  entry_id,
  product_id,
  product_quantity,
  purchase_price_cents,
  entry_date,
  cast(month(entry_date) as integer) as calendar_month,
  cast(year(entry_date) as integer) as calendar_year
from {{ ref('raw_stock') }}
