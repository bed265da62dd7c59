select
  r.order_id,
  r.total_value as order_revenue,
  c.order_cost,
  r.total_value - c.order_cost as order_pl
from {{ ref('sales', 'order_summary') }} as r
join {{ ref('orders_cost') }} as c on c.order_id = r.order_id
