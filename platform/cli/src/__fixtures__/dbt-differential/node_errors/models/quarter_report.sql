select fiscal_quarter, sum(amount) as amount
from {{ ref('sales_by_quarter') }}
group by 1
