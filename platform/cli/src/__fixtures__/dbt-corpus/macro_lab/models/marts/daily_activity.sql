{%- set types = event_types() -%}
{# The calendar comes from date_spine: every day, also days without events #}
with spine as (
    {{ dbt_utils.date_spine(
        datepart="day",
        start_date="cast('" ~ var('start_date') ~ "' as date)",
        end_date="cast('" ~ var('end_date') ~ "' as date)"
    ) }}
),

events as (
    select * from {{ ref('stg_events') }}
),

counts as (
    select
        event_date,
        {{ count_by('event_type', types) }},
        count(distinct user_id) as active_users
    from events
    group by event_date
)

select
    cast(spine.date_day as date) as activity_date,
    {%- for t in types %}
    coalesce(counts.{{ column_alias(t) }}, 0) as {{ column_alias(t) }},
    {%- endfor %}
    coalesce(counts.active_users, 0) as active_users
from spine
left join counts on counts.event_date = cast(spine.date_day as date)
