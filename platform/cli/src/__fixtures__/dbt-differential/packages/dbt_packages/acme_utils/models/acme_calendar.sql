with days as (
  {{ acme_utils.calendar_sql(var('calendar_start'), var('calendar_days')) }}
)
select calendar_date, dayname(calendar_date) as day_of_week
from days
