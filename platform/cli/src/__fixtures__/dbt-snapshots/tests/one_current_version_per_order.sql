select id, count(*) as versions
from {{ ref('orders_timestamp') }}
where dbt_valid_to is null
group by id
having count(*) > 1
