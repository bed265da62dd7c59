{% test equal_rowcount(model, compare_model, extra_rows=0) %}
  {#-- A test that asks the warehouse for the other model's columns while it runs. --#}
  {%- set compared = adapter.get_columns_in_relation(compare_model) -%}
  with a as (select count(*) as n from {{ model }}),
       b as (select count(*) + {{ extra_rows }} as n, {{ compared | length }} as columns from {{ compare_model }})
  select a.n as model_rows, b.n as expected_rows
  from a cross join b
  where a.n != b.n
{% endtest %}
