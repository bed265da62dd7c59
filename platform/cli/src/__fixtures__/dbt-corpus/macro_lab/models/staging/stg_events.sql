{{ config(tags=['events']) }}
{{ log_build('stg_events') }}

select
    {{ dbt_utils.star(from=ref('raw_events'), except=var('excluded_columns') + ['event_type']) }},
    {{ clean_text('event_type') }} as event_type,
    cast(occurred_at as date) as event_date
from {{ ref('raw_events') }}
