-- depends on the var, not on today's date, so the result is stable
select *
from {{ ref('stg_events') }}
where event_date >= '{{ var("end_date") }}'
