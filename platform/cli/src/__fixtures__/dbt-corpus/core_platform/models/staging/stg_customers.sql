select
    customer_id,
    full_name,
    email,
    upper(country_code) as country_code,
    cast(signed_up_at as date) as signed_up_at
from {{ ref('customers') }}
