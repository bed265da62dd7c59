{{ config(location='out/orders.parquet') }}
select id, region, status, amount, ordered_at from {{ ref('raw_orders') }}
