select * from (
  values
    (1, 10, 'signup', timestamp '2024-01-03 10:00:00'),
    (2, 11, 'signup', timestamp '2024-01-04 11:30:00'),
    (3, 10, 'purchase', timestamp '2024-01-09 09:15:00')
) as t(event_id, user_id, kind, occurred_at)
