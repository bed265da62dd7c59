{#- A singular test with a set block and a filter chain. -#}
{% set missing %}
  select * from {{ ref('stg_payments') }} where label is null or trim(label) = ''
{% endset %}
{{ missing | trim }}
