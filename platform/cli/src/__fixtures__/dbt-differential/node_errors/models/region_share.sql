select
    region,
    amount,
    {{ share_of_total('amount') }} as share
from {{ ref('sales_by_region') }}
