{% do sql_checks.remember("currency", "EUR") %}
{%- set seeds = [] -%}
{%- if execute -%}
    {%- set seeds = graph.nodes.values() | selectattr("resource_type", "equalto", "seed") | map(attribute="name") | sort | list -%}
{%- endif %}
select
    {{ sql_checks.column_list(["customer", "total", "orders"], prefix="t.") }},
    '{{ sql_checks.recall("currency") }}' as currency,
    '{{ seeds | join(",") }}' as seeds_in_graph,
    '{{ render("{{ project_name }}-{{ 40 + 2 }}") }}' as rendered
from {{ ref('order_totals') }} as t
