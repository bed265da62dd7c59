{% macro get_relations_by_pattern(schema_pattern, table_pattern, exclude='', database=target.database) -%}
  {{ return(adapter.dispatch('get_relations_by_pattern', 'warehouse_utils')(schema_pattern, table_pattern, exclude, database)) }}
{%- endmacro %}

{% macro default__get_relations_by_pattern(schema_pattern, table_pattern, exclude, database) -%}
  {%- if not execute -%}
    {{ return([]) }}
  {%- endif -%}
  {%- call statement('relations_by_pattern', fetch_result=true) -%}
    select distinct table_schema, table_name, table_type
    from information_schema.tables
    where table_catalog = '{{ database }}'
      and table_schema ilike '{{ schema_pattern }}'
      and table_name ilike '{{ table_pattern }}'
      {% if exclude %}and table_name not ilike '{{ exclude }}'{% endif %}
    order by table_name
  {%- endcall -%}
  {%- set relations = [] -%}
  {%- for row in load_result('relations_by_pattern')['table'] -%}
    {%- do relations.append(api.Relation.create(
        database=database,
        schema=row['table_schema'],
        identifier=row['table_name'],
        type='view' if row['table_type'] == 'VIEW' else 'table',
    )) -%}
  {%- endfor -%}
  {{ return(relations) }}
{%- endmacro %}
