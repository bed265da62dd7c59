{{ config(tags=["inline"]) }}
-- depends_on: {{ ref('raw_orders') }}
select *
from {{ sql_checks.relation_or_sql('order_totals') }} as totals
where total <= 0
