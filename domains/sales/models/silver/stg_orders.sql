select order_id, customer_id, order_status, order_date
from {{ ref('raw_orders') }}
