-- avg_purchase_price is the plain average of the month's entries, rounded down (prices are positive, so
-- toward zero); floor() is spelled alike on DuckDB, PostgreSQL and Trino, trunc() is not.
select
  product_id,
  calendar_month,
  calendar_year,
  cast(sum(product_quantity) as bigint) as quantity,
  cast(floor(avg(purchase_price_cents)) as bigint) as avg_purchase_price
from {{ ref('stg_stock_entries') }}
group by product_id, calendar_year, calendar_month
