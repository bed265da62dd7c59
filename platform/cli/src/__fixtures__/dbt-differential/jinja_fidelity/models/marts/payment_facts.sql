{{ config(materialized='table', tags=['finance', ],) }}
{%- set cols = column_list('is', payment_methods()) -%}
select
  payment_id,
  {{ money('amount_cents / 100.0') }} as amount,
  {{ money('amount_cents / 100.0 * ' ~ var('fee_rate'), places=3,) }} as fee,
  {% for m in payment_methods() -%}
  (method = '{{ m }}') as {{ cols['items'][loop.index0] }},
  {% endfor -%}
  {{ cols['count'] }} as method_count,
  {{ first_match(payment_methods(), 'cash') }} as cash_position,
  {{ string_literal(var('currency')) }} as currency,
  cast({{ dateadd('day', 7, 'paid_on') }} as date) as due_on,
  {{ datediff("date '2024-01-01'", 'paid_on', 'day') }} as days_into_year,
  cast({{ date_trunc('month', 'paid_on') }} as date) as paid_month,
  cast({{ last_day('paid_on', 'month') }} as date) as month_end,
  {{ concat(["'P-'", 'cast(payment_id as ' ~ type_string() ~ ')']) }} as payment_code,
  {{ hash('method') }} as method_hash,
  {{ safe_cast("'12'", type_int()) }} as twelve,
  {{ split_part("'a-b-c'", "'-'", 2) }} as middle_part,
  {{ cast_bool_to_text('amount_cents > 2000') }} as is_large_text,
  '{{ escape_single_quotes("it's") }}' as escaped
from {{ ref('stg_payments') }}
where paid_on >= {{ var('cutoff_date') }}
