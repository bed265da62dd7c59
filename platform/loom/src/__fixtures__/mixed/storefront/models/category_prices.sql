-- Catalog value per product category, from inventory's public products.
select
    product_category,
    count(*) as products,
    sum(price_cents) as catalog_value_cents,
    max(price_cents) as top_price_cents
from {{ ref('inventory', 'products') }}
group by product_category
