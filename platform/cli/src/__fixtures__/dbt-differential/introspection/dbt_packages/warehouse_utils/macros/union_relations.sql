{% macro union_relations(relations, exclude=none, source_column_name='_source_relation') -%}
  {{ return(adapter.dispatch('union_relations', 'warehouse_utils')(relations, exclude, source_column_name)) }}
{%- endmacro %}

{% macro default__union_relations(relations, exclude, source_column_name) -%}
  {%- if not execute -%}
    {{ return('select 1 as _parse_placeholder') }}
  {%- endif -%}
  {%- set excluded = (exclude or []) | map('lower') | list -%}
  {%- set ns = namespace(names=[], types={}) -%}
  {%- for relation in relations -%}
    {%- for col in adapter.get_columns_in_relation(relation) -%}
      {%- set key = col.name | lower -%}
      {%- if key not in excluded and key not in ns.names -%}
        {%- do ns.names.append(key) -%}
        {%- do ns.types.update({key: col.data_type}) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- for relation in relations -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list %}
    select
      cast({{ dbt.string_literal(relation.identifier) }} as {{ dbt.type_string() }}) as {{ source_column_name }},
      {%- for name in ns.names %}
      {% if name in present %}cast({{ adapter.quote(name) }} as {{ ns.types[name] }}){% else %}cast(null as {{ ns.types[name] }}){% endif %} as {{ adapter.quote(name) }}{{ ',' if not loop.last }}
      {%- endfor %}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
  {%- endfor -%}
{%- endmacro %}
