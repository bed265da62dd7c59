select
  cast(product_id as integer) as product_id,
  cast(product_name as varchar) as product_name,
  cast(product_category as varchar) as product_category,
  cast(price_cents as bigint) as price_cents
from {{ source('raw', 'catalog') }}
