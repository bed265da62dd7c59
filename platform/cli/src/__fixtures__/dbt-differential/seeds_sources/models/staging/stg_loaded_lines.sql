-- depends_on: {{ ref('order_lines') }}
select sku, quantity
from {{ source('loaded', 'lines') }}
