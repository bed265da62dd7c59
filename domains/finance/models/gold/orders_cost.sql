-- Lines with no stock entry in the order's month add nothing; orders with no matched line are left out.
select
  l.order_id,
  cast(sum(s.avg_purchase_price * l.product_quantity) as bigint) as order_cost
from {{ ref('int_order_products_dates') }} as l
join {{ ref('inventory', 'stock_product') }} as s
  on s.product_id = l.product_id
 and s.calendar_month = extract(month from l.order_date)
 and s.calendar_year = extract(year from l.order_date)
group by l.order_id
