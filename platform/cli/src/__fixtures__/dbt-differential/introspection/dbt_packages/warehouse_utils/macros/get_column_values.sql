{% macro get_column_values(table, column, order_by='count(*) desc', max_records=none, default=none, where=none) -%}
  {{ return(adapter.dispatch('get_column_values', 'warehouse_utils')(table, column, order_by, max_records, default, where)) }}
{%- endmacro %}

{% macro default__get_column_values(table, column, order_by, max_records, default, where) -%}
  {#-- Nothing to ask while dbt parses: the values come when the model runs. --#}
  {%- if not execute -%}
    {{ return(default if default is not none else []) }}
  {%- endif -%}
  {%- set relation = adapter.get_relation(database=table.database, schema=table.schema, identifier=table.identifier) -%}
  {%- if relation is none -%}
    {{ return(default if default is not none else []) }}
  {%- endif -%}
  {%- call statement('get_column_values', fetch_result=true) -%}
    select {{ column }} as value
    from {{ relation }}
    {% if where is not none %}where {{ where }}{% endif %}
    group by {{ column }}
    order by {{ order_by }}
    {% if max_records is not none %}limit {{ max_records }}{% endif %}
  {%- endcall -%}
  {%- set table_result = load_result('get_column_values')['table'] -%}
  {{ return(table_result.columns['value'].values() | list) }}
{%- endmacro %}
