select c.country, count(*) as customers
from {{ ref('raw_customers') }} c
group by c.country
