{{ config(materialized='table') }}
select o.id, o.status, o.amount, c.valid_from as first_seen
from {{ ref('orders_timestamp') }} o
join {{ ref('orders_check_all') }} c on c.id = o.id and c.valid_to = '9999-12-31'::timestamp
where o.dbt_valid_to is null
