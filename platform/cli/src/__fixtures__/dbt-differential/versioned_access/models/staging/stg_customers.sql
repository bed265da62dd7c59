select id as customer_id, name as full_name, country, segment from {{ ref('raw_customers') }}
