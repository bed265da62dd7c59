select * from {{ ref('supplier_offers') }} where min_order_cents <= 0
