{%- set methods = payment_methods() -%}
{%- set labels = method_labels() -%}
select *
from (
  values
  {%- for m in methods %}
    ({{ loop.index }}, '{{ m }}', '{{ labels[m] }}', {{ loop.index * 1250 }}, date '2024-03-{{ '%02d' % (loop.index * 9) }}'){{ ',' if not loop.last }}
  {%- endfor %}
) as t(payment_id, method, label, amount_cents, paid_on)
