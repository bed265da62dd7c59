select * from {{ ref('customer_orders') }} where revenue <= 0
