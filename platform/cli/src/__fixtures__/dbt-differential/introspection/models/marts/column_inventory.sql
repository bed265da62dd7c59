{#- The columns of a relation, as rows: adapter.get_columns_in_relation at run time. -#}
{%- set columns = adapter.get_columns_in_relation(ref('raw_events_2024_02')) -%}
{%- if execute and columns | length == 0 -%}
  {{ exceptions.raise_compiler_error('raw_events_2024_02 has no columns') }}
{%- endif -%}
{% for col in columns %}
select '{{ col.name }}' as column_name, '{{ col.dtype }}' as data_type, {{ loop.index }} as position, {{ col.is_string() }} as is_text
{%- if not loop.last %} union all{% endif %}
{%- else %}
select null::varchar as column_name, null::varchar as data_type, null::integer as position, null::boolean as is_text
{% endfor %}
