select
    o.offer_id,
    o.product_id,
    s.supplier_name,
    s.country,
    o.unit_cost_cents,
    o.min_quantity,
    {{ order_value('o.unit_cost_cents', 'o.min_quantity') }} as min_order_cents
from {{ ref('stg_offers') }} o
join {{ ref('supplier_list') }} s using (supplier_id)
