select
  c.customer_id,
  c.customer_name,
  c.customer_surname,
  c.customer_email,
  cast(sum(s.total_value) as bigint) as customer_tlv
from {{ ref('stg_customers') }} as c
join {{ ref('order_summary') }} as s on s.customer_id = c.customer_id
group by c.customer_id, c.customer_name, c.customer_surname, c.customer_email
