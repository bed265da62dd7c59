select
    id as customer_id,
    first_name || ' ' || last_name as full_name,
    cast(signed_up as date) as signed_up_on,
    typeof(id) as id_type
from {{ ref('raw_customers') }}
