{% macro date_spine(datepart, start_date, end_date) %}
    {{ return(adapter.dispatch('date_spine', 'dbt_utils')(datepart, start_date, end_date)) }}
{% endmacro %}

{#- One row per period from start_date up to, not including, end_date, in a column date_<datepart>. -#}
{% macro default__date_spine(datepart, start_date, end_date) %}
    select cast(range as timestamp) as date_{{ datepart }}
    from range(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 {{ datepart }})
{% endmacro %}
