{% macro get_single_value(query, default=none) -%}
  {{ return(adapter.dispatch('get_single_value', 'warehouse_utils')(query, default)) }}
{%- endmacro %}

{% macro default__get_single_value(query, default) -%}
  {%- if not execute -%}
    {{ return(default) }}
  {%- endif -%}
  {%- set result = run_query(query) -%}
  {%- if result.rows | length == 0 or result.rows[0][0] is none -%}
    {{ return(default) }}
  {%- endif -%}
  {{ return(result.rows[0][0]) }}
{%- endmacro %}
