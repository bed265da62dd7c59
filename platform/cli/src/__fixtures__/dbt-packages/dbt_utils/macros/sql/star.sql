{% macro star(from, relation_alias=False, except=[], prefix='', suffix='', quote_identifiers=True) -%}
    {{ return(adapter.dispatch('star', 'dbt_utils')(from, relation_alias, except, prefix, suffix, quote_identifiers)) }}
{% endmacro %}

{#- The columns of a relation but the excepted ones, read from the database at run time. -#}
{% macro default__star(from, relation_alias=False, except=[], prefix='', suffix='', quote_identifiers=True) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set excepted = except | map('lower') | list -%}
    {%- set cols = [] -%}
    {%- for col in adapter.get_columns_in_relation(from) -%}
        {%- if col.column | lower not in excepted -%}
            {%- do cols.append(col.column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if cols | length == 0 -%}
        {{ return('*') }}
    {%- endif -%}
    {%- for col in cols -%}
        {%- if relation_alias %}{{ relation_alias }}.{% endif -%}
        {%- if quote_identifiers -%}{{ adapter.quote(col) }}{%- else -%}{{ col }}{%- endif -%}
        {%- if prefix != '' or suffix != '' %} as {{ adapter.quote(prefix ~ col ~ suffix) if quote_identifiers else prefix ~ col ~ suffix }}{%- endif -%}
        {%- if not loop.last %},
    {% endif -%}
    {%- endfor -%}
{%- endmacro %}
