select customer_id, upper(full_name) as name_upper from {{ ref('core', 'dim_customers', v=1) }}
