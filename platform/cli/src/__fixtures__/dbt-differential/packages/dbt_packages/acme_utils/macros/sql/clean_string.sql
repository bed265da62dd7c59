{% macro clean_string(expression) -%}
  lower(trim({{ expression }}))
{%- endmacro %}
