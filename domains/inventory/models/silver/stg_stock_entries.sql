select
  entry_id,
  product_id,
  product_quantity,
  purchase_price_cents,
  entry_date,
  cast(extract(month from entry_date) as integer) as calendar_month,
  cast(extract(year from entry_date) as integer) as calendar_year
from {{ ref('raw_stock') }}
