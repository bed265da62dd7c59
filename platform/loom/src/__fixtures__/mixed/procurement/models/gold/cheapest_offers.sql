-- The best unit cost per product over every supplier's offer, and what the smallest orders come to.
select
    product_id,
    min(unit_cost_cents) as best_unit_cost_cents,
    count(*) as offers,
    sum(min_order_cents) as min_orders_cents
from {{ ref('suppliers', 'supplier_offers') }}
group by product_id
