{% macro order_value(cost, quantity) -%}
    ({{ cost }} * {{ quantity }})
{%- endmacro %}
