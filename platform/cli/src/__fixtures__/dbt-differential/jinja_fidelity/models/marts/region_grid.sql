{#- Python's string methods, %-formatting, slices, dict iteration and loop controls, as dbt renders them. -#}
{%- set settings = {'b_weight': 2, 'a_weight': 1, 'c_weight': 3} -%}
{%- set parts = 'north|south|east|west'.split('|') -%}
{% call(region, position) each_region(var('regions')) -%}
  select
    '{{ region.upper() }}' as region,
    '{{ region[:2] }}' as region_code,
    {{ position }} as position,
    '{{ '%s-%03d' % (region, position) }}' as label,
    '{{ '{}/{}'.format(region, parts | length) }}' as of_total,
    {{ parts.index(region) if region in parts else -1 }} as part_index,
    {{ settings | length }} as setting_count,
    '{% for k in settings | sort %}{{ k }}{% if not loop.last %},{% endif %}{% endfor %}' as setting_keys,
    '{% for x in [1, 2, 3, 4, 5] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}' as loop_controls,
    '{{ [3, 1, 2] | sort | join(",") }}' as sorted_list,
    '{{ none }}|{{ true }}|{{ [1, 'a'] | join(':') }}' as python_text,
    {{ 'true' if (regions is defined and [] ) else 'false' }} as empty_list_is_false
{%- endcall %}
