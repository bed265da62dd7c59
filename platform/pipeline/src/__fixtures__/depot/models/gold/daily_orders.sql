select order_date, count(*) as orders, sum(amount) as amount
from {{ source('bronze', 'orders') }}
group by order_date
