select id as customer_id, first_name || ' ' || last_name as full_name, signed_up
from {{ ref('raw_customers') }}
