{{ config(location='out/by_region', options={'partition_by': 'region'}) }}
select id, region, amount from {{ ref('raw_orders') }}
