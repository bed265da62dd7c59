-- v2 splits the name and adds the sign-up date
select
    customer_id,
    split_part(full_name, ' ', 1) as first_name,
    split_part(full_name, ' ', 2) as last_name,
    country_code,
    signed_up_at
from {{ ref('stg_customers') }}
