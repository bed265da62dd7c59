{%- set regions = var('regions') -%}
{% call wrap_in_cte('summary') -%}
  select
    method,
    count(*) as payments,
    {{ listagg('label', "', '", 'order by label') }} as labels,
    {{ any_value('label') }} is not null as has_label,
    {{ bool_or('amount_cents > 3000') }} as any_large
  from {{ ref('stg_payments') }}
  group by method
{%- endcall %}
