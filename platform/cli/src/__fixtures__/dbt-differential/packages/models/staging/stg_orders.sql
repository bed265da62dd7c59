select
  order_id,
  {{ acme_utils.clean_string('customer_name') }} as customer_name,
  {{ acme_utils.cents_to_dollars('amount_cents') }} as amount,
  {{ acme_utils.cents_to_dollars('discount_cents', scale=0) }} as discount,
  ordered_on
from (
  values
    (1, '  Alice ', 1250, 100, date '2024-01-02'),
    (2, 'BOB', 990, 0, date '2024-01-02'),
    (3, 'carol', 4500, 500, date '2024-01-05'),
    (4, 'Alice', 0, 0, date '2024-01-07')
) as t(order_id, customer_name, amount_cents, discount_cents, ordered_on)
