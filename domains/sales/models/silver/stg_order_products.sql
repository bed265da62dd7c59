{{ config(materialized='table') }}
select transaction_id, order_id, product_id, product_quantity
from {{ ref('raw_order_products') }}
