select id, name, tier, changed_at from {{ ref('raw_customers') }}
