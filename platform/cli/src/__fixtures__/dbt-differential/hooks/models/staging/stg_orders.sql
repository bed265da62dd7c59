{{ config(
    pre_hook="{{ log_event('before', this.identifier, 'config pre-hook') }}",
    post_hook=["{{ log_event('after', this.identifier, 'config post-hook') }}"],
) }}
select * from (
  values (1, 'P'), (2, 'S'), (3, 'P'), (4, 'X')
) as t(order_id, status_code)
