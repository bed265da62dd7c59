{#- A run-operation that prepares a table the build reads: statements run against the project's database. -#}
{% macro create_lookup(table_name, codes) %}
  {%- set relation = api.Relation.create(database=target.database, schema='lookups', identifier=table_name) -%}
  {% do run_query('create schema if not exists ' ~ relation.without_identifier()) %}
  {% call statement('create_lookup') %}
    create or replace table {{ relation }} as
    select * from (values
      {%- for code, label in codes.items() %}
      ('{{ code }}', '{{ label }}'){{ ',' if not loop.last }}
      {%- endfor %}
    ) as t(code, label)
  {% endcall %}
  {#- dbt does not commit what a run-operation's statements do; the macro commits itself. -#}
  {% do adapter.commit() %}
  {%- set count = run_query('select count(*) from ' ~ relation).columns[0].values()[0] -%}
  {{ log('created ' ~ relation ~ ' with ' ~ count ~ ' codes', info=True) }}
{% endmacro %}
