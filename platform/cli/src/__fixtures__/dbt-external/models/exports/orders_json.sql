{{ config(location='out/orders.json') }}
select id, region, amount from {{ ref('raw_orders') }} where amount is not null
