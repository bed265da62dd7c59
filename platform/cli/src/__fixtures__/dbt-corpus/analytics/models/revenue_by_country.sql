select country_code, sum(revenue) as revenue, sum(order_count) as order_count
from {{ ref('customer_revenue') }}
group by country_code
