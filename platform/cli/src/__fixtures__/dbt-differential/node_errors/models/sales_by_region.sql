select
    region,
    sum(amount) as amount,
    count(*) as sales
from {{ ref('raw_sales') }}
group by 1
