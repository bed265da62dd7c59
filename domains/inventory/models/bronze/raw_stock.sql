select
  cast(entry_id as integer) as entry_id,
  cast(product_id as integer) as product_id,
  cast(product_quantity as integer) as product_quantity,
  cast(purchase_price_cents as bigint) as purchase_price_cents,
  cast(entry_date as date) as entry_date
from {{ source('raw', 'stock') }}
