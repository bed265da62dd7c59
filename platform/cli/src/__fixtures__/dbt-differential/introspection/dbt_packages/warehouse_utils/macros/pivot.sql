{% macro pivot(column, values, alias=true, agg='sum', cmp='=', prefix='', suffix='', then_value=1, else_value=0) -%}
  {{ return(adapter.dispatch('pivot', 'warehouse_utils')(column, values, alias, agg, cmp, prefix, suffix, then_value, else_value)) }}
{%- endmacro %}

{% macro default__pivot(column, values, alias, agg, cmp, prefix, suffix, then_value, else_value) -%}
  {%- for value in values %}
  {{ agg }}(case when {{ column }} {{ cmp }} '{{ dbt.escape_single_quotes(value) }}' then {{ then_value }} else {{ else_value }} end)
    {%- if alias %} as {{ adapter.quote(prefix ~ value | replace(' ', '_') ~ suffix) }}{% endif %}
    {%- if not loop.last %},{% endif %}
  {%- endfor %}
{%- endmacro %}
