select
  cast(order_id as integer) as order_id,
  cast(customer_id as integer) as customer_id,
  cast(order_status as varchar) as order_status,
  cast(order_date as date) as order_date
from {{ source('raw', 'orders') }}
