{%- set methods = warehouse_utils.get_column_values(ref('raw_payments'), 'method', order_by='method') -%}
select
  order_id,
  {{ warehouse_utils.pivot('method', methods, then_value='amount', else_value=0, prefix='paid_') }}
from {{ ref('raw_payments') }}
group by order_id
