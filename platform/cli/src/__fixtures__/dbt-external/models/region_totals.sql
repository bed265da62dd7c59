{{ config(materialized='table') }}
-- Reads two external models back through their views: the partitioned Parquet and the pipe-delimited CSV.
select r.region, count(*) as orders, sum(r.amount) as amount, count(p.status) filter (where p.status = 'placed') as placed
from {{ ref('orders_by_region') }} r
join {{ ref('orders_pipe') }} p on p.id = r.id
group by r.region
