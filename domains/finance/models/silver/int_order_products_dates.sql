select l.transaction_id, l.order_id, l.product_id, l.product_quantity, o.order_date
from {{ ref('sales', 'stg_order_products') }} as l
join {{ ref('sales', 'order_summary') }} as o on o.order_id = l.order_id
