-- Revenue per customer adds up to the total of the orders it was built from
select *
from (select sum(revenue) as revenue from {{ ref('customer_revenue') }}) as r
cross join (select sum(amount) as amount from {{ ref('core_platform', 'fct_orders') }}) as o
where r.revenue <> o.amount
