select
    id as order_id,
    customer_id,
    ordered_at,
    status,
    coalesce(discount, 0) as discount,
    status in ({% for s in var('paid_statuses') %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %}) as is_paid
from {{ ref('raw_orders') }}
