-- Payments are never negative; a refund is its own status.
select * from {{ ref('orders') }} where amount_cents < 0
