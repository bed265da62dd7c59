select id as customer_id, name as full_name, country, created_at from {{ ref('raw_customers') }}
