{{ config(materialized='ephemeral') }}
{% set methods = ['card', 'cash', 'gift'] %}
select
  order_id,
  {% for m in methods -%}
  sum(case when method = '{{ m }}' then amount_cents else 0 end) as {{ m }}_cents,
  {% endfor -%}
  sum(amount_cents) as amount_cents
from {{ ref('raw_payments') }}
group by order_id
