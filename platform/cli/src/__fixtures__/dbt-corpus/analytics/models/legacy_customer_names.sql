-- Still on the first version of dim_customers: one full name column
select customer_id, full_name
from {{ ref('core_platform', 'dim_customers', v=1) }}
