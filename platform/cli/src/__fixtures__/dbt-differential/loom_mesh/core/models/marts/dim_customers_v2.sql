select c.customer_id, c.full_name, c.country, k.region, c.created_at
from {{ ref('stg_customers') }} as c
left join {{ ref('country_codes') }} as k on k.code = c.country
