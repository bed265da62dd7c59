select product_id, product_name, product_category, price_cents
from {{ ref('raw_catalog') }}
