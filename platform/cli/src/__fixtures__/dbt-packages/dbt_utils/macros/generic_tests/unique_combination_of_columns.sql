{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
    {{ return(adapter.dispatch('test_unique_combination_of_columns', 'dbt_utils')(model, combination_of_columns, quote_columns)) }}
{% endtest %}

{% macro default__test_unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
{%- if quote_columns -%}
    {%- set columns = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do columns.append(adapter.quote(column)) -%}
    {%- endfor -%}
{%- else -%}
    {%- set columns = combination_of_columns -%}
{%- endif -%}
{%- set columns_csv = columns | join(', ') -%}
select {{ columns_csv }}
from {{ model }}
group by {{ columns_csv }}
having count(*) > 1
{% endmacro %}
