{% macro order_band(amount) -%}
  case
    {%- for limit, band in [(20, 1), (50, 2)] %}
    when {{ amount }} < {{ limit }} then {{ band }}
    {%- endfor %}
    else 3
  end
{%- endmacro %}
