{# DuckDB spellings for acme_utils' dispatched macros, found first through the project's dispatch config. #}
{% macro duckdb__safe_divide(numerator, denominator) -%}
  case when ( {{ denominator }} ) = 0 then null else ( {{ numerator }} ) / ( {{ denominator }} ) end
{%- endmacro %}
