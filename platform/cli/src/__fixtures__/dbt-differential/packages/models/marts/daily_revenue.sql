with orders as (
  select * from {{ ref('stg_orders') }}
)
select
  cal.calendar_date,
  cal.day_of_week,
  count(orders.order_id) as orders,
  coalesce(sum(orders.amount), 0) as revenue,
  {{ acme_utils.safe_divide('sum(orders.discount)', 'sum(orders.amount)') }} as discount_share
from {{ ref('acme_utils', 'acme_calendar') }} as cal
left join orders on orders.ordered_on = cal.calendar_date
group by 1, 2
