{#- Text helpers: default arguments, whitespace control, filters -#}

{% macro clean_text(column_name, case='lower') -%}
    {%- if case == 'upper' -%}
        upper(trim({{ column_name }}))
    {%- elif case == 'none' -%}
        trim({{ column_name }})
    {%- else -%}
        lower(trim({{ column_name }}))
    {%- endif -%}
{%- endmacro %}

{% macro column_alias(name, prefix='n_') -%}
    {{ prefix ~ (name | lower | replace(' ', '_') | trim) }}
{%- endmacro %}
