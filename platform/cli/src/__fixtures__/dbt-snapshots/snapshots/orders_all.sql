{% snapshot orders_check_all %}
{{
    config(
      unique_key='id',
      strategy='check',
      check_cols='all',
      invalidate_hard_deletes=True,
      dbt_valid_to_current="'9999-12-31'::timestamp",
      snapshot_meta_column_names={'dbt_valid_from': 'valid_from', 'dbt_valid_to': 'valid_to', 'dbt_scd_id': 'version_id', 'dbt_updated_at': 'stamped_at'}
    )
}}
select id, status, amount from {{ ref('raw_orders') }}
{% endsnapshot %}
