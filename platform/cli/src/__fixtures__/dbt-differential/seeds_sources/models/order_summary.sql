select
    l.order_id,
    count(*) as lines,
    sum(l.quantity * l.unit_price) as total,
    max(s.country_name) as country,
    bool_or(r.order_id is not null) as returned,
    max(length(l.sku)) as sku_width,
    count(l."Line Note") as noted_lines
from {{ ref('order_lines') }} as l
left join {{ ref('stg_shipments') }} as s using (order_id)
left join {{ ref('stg_returns') }} as r using (order_id)
group by 1
