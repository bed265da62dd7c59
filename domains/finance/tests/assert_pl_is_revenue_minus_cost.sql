select * from {{ ref('orders_pl') }} where order_pl <> order_revenue - order_cost
