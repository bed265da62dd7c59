-- v1 kept the full name in one column
select
    customer_id,
    full_name,
    country_code
from {{ ref('stg_customers') }}
