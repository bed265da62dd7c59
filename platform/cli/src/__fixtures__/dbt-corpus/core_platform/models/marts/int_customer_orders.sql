{{ config(access='protected', contract={'enforced': false}) }}

select customer_id, count(*) as order_count
from {{ ref('fct_orders') }}
group by customer_id
