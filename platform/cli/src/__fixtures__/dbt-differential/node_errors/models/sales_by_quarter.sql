select
    region,
    {{ fiscal_quarter('sold_on') }} as fiscal_quarter,
    sum(amount) as amount
from {{ ref('raw_sales') }}
group by 1, 2
