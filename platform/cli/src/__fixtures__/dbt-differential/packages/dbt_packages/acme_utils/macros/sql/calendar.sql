{% macro calendar_sql(start_date, days) -%}
  {%- set start = "cast('" ~ start_date ~ "' as date)" -%}
  select
    cast({{ dbt.dateadd('day', 'n', start) }} as date) as calendar_date
  from (
    select generated_number - 1 as n from ({{ dbt.generate_series(days) }}) as series
  ) as numbers
{%- endmacro %}
