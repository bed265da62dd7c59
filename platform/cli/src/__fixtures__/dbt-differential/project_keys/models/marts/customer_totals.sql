{{ config(tags=['daily']) }}
select
    c.customer_id,
    c.full_name,
    count(f.order_id) as orders,
    coalesce(sum(f.paid_amount) filter (where f.is_paid), 0) as revenue
from {{ ref('stg_customers') }} as c
left join {{ ref('order_facts') }} as f using (customer_id)
group by 1, 2
