-- depends_on: {{ ref('raw_events_2024_01') }}
-- depends_on: {{ ref('raw_events_2024_02') }}
{%- set months = warehouse_utils.get_relations_by_pattern(target.schema, 'raw_events_%') -%}
{{ warehouse_utils.union_relations(relations=months, exclude=['channel']) }}
