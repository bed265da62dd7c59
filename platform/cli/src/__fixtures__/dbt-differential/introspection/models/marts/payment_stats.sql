{%- set top = warehouse_utils.get_single_value("select max(amount) from " ~ ref('raw_payments')) -%}
{%- set orders = warehouse_utils.get_single_value("select count(distinct order_id) from " ~ ref('raw_payments')) -%}
{%- set average = warehouse_utils.get_single_value("select avg(amount)::double from " ~ ref('raw_payments')) -%}
select
  {{ top }} as largest_payment,
  {{ orders }} as orders,
  {{ average }} as average_payment,
  '{{ top }}' as largest_payment_text,
  '{{ warehouse_utils.get_single_value("select min(method) from " ~ ref('raw_payments') ~ " where amount > 1000", default='none') }}' as nothing_found
