{% snapshot orders_timestamp %}
{{
    config(
      unique_key='id',
      strategy='timestamp',
      updated_at='updated_at',
      hard_deletes='invalidate'
    )
}}
select id, region, status, amount, updated_at from {{ ref('raw_orders') }}
{% endsnapshot %}

{% snapshot orders_check %}
{{ config(unique_key=['id', 'region'], strategy='check', check_cols=['status', 'amount'], hard_deletes='new_record') }}
select * from {{ ref('raw_orders') }}
{% endsnapshot %}
