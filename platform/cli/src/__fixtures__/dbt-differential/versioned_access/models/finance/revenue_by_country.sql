-- A ref to the latest version, and one pinned to the newer one.
select d.country, sum(r.revenue) as revenue, count(distinct v2.segment) as segments
from {{ ref('fct_revenue') }} as r
join {{ ref('dim_customers') }} as d using (customer_id)
join {{ ref('dim_customers', v=2) }} as v2 using (customer_id)
group by 1
