{# A macro that wraps what its caller gives it, and one that calls back with an argument. #}
{% macro wrap_in_cte(name) -%}
with {{ name }} as (
  {{ caller() }}
)
select * from {{ name }}
{%- endmacro %}

{% macro each_region(regions) -%}
  {%- for r in regions -%}
    {{ caller(r, loop.index) }}{% if not loop.last %} union all {% endif %}
  {%- endfor -%}
{%- endmacro %}

{% macro money(column, places=2) -%}
  round(cast({{ column }} as {{ type_numeric() }}), {{ places }})
{%- endmacro %}
