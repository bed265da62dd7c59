-- Valued at the current catalog price; orders without lines have no value and are left out.
select
  o.order_id,
  o.customer_id,
  o.order_date,
  o.order_status,
  cast(sum(p.price_cents * l.product_quantity) as bigint) as total_value
from {{ ref('stg_orders') }} as o
join {{ ref('stg_order_products') }} as l on l.order_id = o.order_id
join {{ ref('inventory', 'products') }} as p on p.product_id = l.product_id
group by o.order_id, o.customer_id, o.order_date, o.order_status
