select
  cast(transaction_id as integer) as transaction_id,
  cast(order_id as integer) as order_id,
  cast(product_id as integer) as product_id,
  cast(product_quantity as integer) as product_quantity
from {{ source('raw', 'order_products') }}
