{% macro event_types() %}
    {#- A macro that returns a value, not text -#}
    {% set types = [] %}
    {% for t in var('event_types') %}
        {% do types.append(t | lower) %}
    {% endfor %}
    {{ return(types) }}
{% endmacro %}

{% macro count_by(column_name, values, prefix='n_') -%}
    {%- for value in values %}
    sum(case when {{ column_name }} = '{{ value }}' then 1 else 0 end) as {{ column_alias(value, prefix) }}
    {%- if not loop.last %},{% endif -%}
    {%- endfor %}
{%- endmacro %}

{% macro users_relation() -%}
    {{ return(ref('stg_users')) }}
{%- endmacro %}

{% macro country_names() -%}
    {{ source('reference', 'countries') }}
{%- endmacro %}

{% macro log_build(what) %}
    {{ log('building ' ~ what ~ ' for ' ~ var('start_date') ~ '..' ~ var('end_date'), info=True) }}
{% endmacro %}
