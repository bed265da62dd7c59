{{ config(location='out/no_orders.parquet') }}
select id, status from {{ ref('raw_orders') }} where id < 0
