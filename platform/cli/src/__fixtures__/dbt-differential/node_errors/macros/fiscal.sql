{#- A package-style macro: one implementation per warehouse, and an error for the others that is raised only
    when a node actually runs (execute), so parsing a project that merely mentions it still works. -#}
{% macro fiscal_quarter(column, offset_months=3) %}
    {{ return(adapter.dispatch('fiscal_quarter', 'node_errors')(column, offset_months)) }}
{% endmacro %}

{% macro default__fiscal_quarter(column, offset_months) %}
    {% if execute %}
        {% do exceptions.raise_compiler_error("fiscal_quarter() is not implemented for adapter '" ~ target.type ~ "'") %}
    {% endif %}
{% endmacro %}

{% macro snowflake__fiscal_quarter(column, offset_months) %}
    quarter(dateadd(month, {{ offset_months }}, {{ column }}))
{% endmacro %}

{% macro share_of_total(column, partition_by=none, precision=2) %}
    round(100.0 * {{ column }} / sum({{ column }}) over ({% if partition_by %}partition by {{ partition_by }}{% endif %}), {{ precision }})
{% endmacro %}
