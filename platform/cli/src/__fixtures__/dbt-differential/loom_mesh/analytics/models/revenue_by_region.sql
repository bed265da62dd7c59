{{ config(materialized='view') }}
select k.region, sum(r.revenue) as revenue
from {{ ref('customer_revenue') }} as r
join {{ ref('core', 'country_codes') }} as k on k.region = r.region
group by 1
