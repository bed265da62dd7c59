{# Macros that hand values back with return(), the way package macros do. #}
{% macro payment_methods() -%}
  {{ return(['card', 'cash', 'voucher', ]) }}
{%- endmacro %}

{% macro method_labels() -%}
  {% set labels = {
      'card': 'Card payment',
      'cash': 'Cash',
      'voucher': 'Voucher',
  } %}
  {{ return(labels) }}
{%- endmacro %}

{% macro column_list(prefix, names) -%}
  {%- set ns = namespace(items=[], count=0) -%}
  {%- for name in names if name is string -%}
    {%- set ns.count = ns.count + 1 -%}
    {%- do ns.items.append(prefix ~ '_' ~ name) -%}
  {%- endfor -%}
  {{ return({'items': ns.items, 'count': ns.count}) }}
{%- endmacro %}

{% macro first_match(values, wanted) -%}
  {%- for v in values -%}
    {%- if v == wanted -%}{{ return(loop.index) }}{%- endif -%}
  {%- endfor -%}
  {{ return(none) }}
{%- endmacro %}
