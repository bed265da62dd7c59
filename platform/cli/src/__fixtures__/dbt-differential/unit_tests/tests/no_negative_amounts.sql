select * from {{ ref('customer_totals') }} where amount < 0
