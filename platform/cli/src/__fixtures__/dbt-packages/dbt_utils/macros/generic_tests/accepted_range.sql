{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    {{ return(adapter.dispatch('test_accepted_range', 'dbt_utils')(model, column_name, min_value, max_value, inclusive)) }}
{% endtest %}

{% macro default__test_accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
select *
from {{ model }}
where 1 = 2
{%- if min_value is not none %}
    or not {{ column_name }} >{{ '=' if inclusive }} {{ min_value }}
{%- endif %}
{%- if max_value is not none %}
    or not {{ column_name }} <{{ '=' if inclusive }} {{ max_value }}
{%- endif %}
{% endmacro %}
