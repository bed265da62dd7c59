select * from (
  values
    (4, 12, 'signup', 'web'),
    (5, 11, 'purchase', 'app'),
    (6, 12, 'refund', 'app')
) as t(event_id, user_id, kind, channel)
