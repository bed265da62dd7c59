select
    region,
    sales
    {%- if var('by_quarter') %},
    {{ fiscal_quarter('current_date') }} as reported_in
    {%- endif %}
from {{ ref('sales_by_region') }}
