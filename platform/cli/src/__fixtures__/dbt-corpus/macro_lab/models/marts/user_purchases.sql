{{ config(materialized='table', alias='user_purchases') }}

{%- set currency = var('currency', none) | default('EUR', true) %}

with purchases as (
    select
        user_id,
        count(*) as purchase_count,
        sum(amount) as total_amount
    from {{ ref('stg_events') }}
    where event_type = 'purchase'
    group by user_id
)

select
    {{ dbt_utils.generate_surrogate_key(['u.user_id', 'u.country_code']) }} as user_key,
    {{ dbt_utils.star(from=users_relation(), relation_alias='u', except=['country_code']) }},
    coalesce(c.name, 'unknown') as country_name,
    coalesce(p.purchase_count, 0) as purchase_count,
    round(coalesce(p.total_amount, 0) * r.rate, 2) as total_amount,
    '{{ currency | upper }}' as currency
from {{ users_relation() }} as u
left join {{ country_names() }} as c on c.code = u.country_code
left join purchases as p on p.user_id = u.user_id
cross join (
    select rate from {{ source('lake', 'exchange_rates') }} where currency = '{{ currency }}'
) as r
