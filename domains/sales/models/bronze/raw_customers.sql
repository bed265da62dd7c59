select
  cast(customer_id as integer) as customer_id,
  cast(customer_name as varchar) as customer_name,
  cast(customer_surname as varchar) as customer_surname,
  cast(customer_email as varchar) as customer_email
from {{ source('raw', 'customers') }}
