{#- {% call statement %} and load_result, run_query, and a guard on execute, as macros of real projects write them. -#}
-- depends_on: {{ ref('raw_events_2024_01') }}
{% call statement('kinds', fetch_result=True) %}
  select distinct kind from {{ ref('raw_events_2024_01') }} order by 1
{% endcall %}
{%- set result = load_result('kinds') -%}
{%- set kinds = result['data'] | map(attribute=0) | list if result else [] -%}
{%- set later = run_query("select distinct kind from " ~ ref('raw_events_2024_02') ~ " order by 1") -%}
{%- if execute -%}
  {%- set later_kinds = later.columns[0].values() -%}
{%- else -%}
  {%- set later_kinds = [] -%}
{%- endif %}
select
  kind,
  kind in ({{ "'" ~ kinds | join("', '") ~ "'" if kinds else 'null' }}) as seen_in_january,
  kind in ({{ "'" ~ later_kinds | join("', '") ~ "'" if later_kinds else 'null' }}) as seen_in_february,
  {{ kinds | length }} as january_kinds,
  {{ later.rows | length if execute else 0 }} as february_kinds
from {{ ref('all_events') }}
group by kind
