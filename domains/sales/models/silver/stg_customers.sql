select customer_id, customer_name, customer_surname, lower(customer_email) as customer_email
from {{ ref('raw_customers') }}
