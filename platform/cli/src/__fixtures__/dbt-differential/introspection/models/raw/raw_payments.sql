select * from (
  values
    (100, 'card', 12.50::decimal(10, 2)),
    (100, 'voucher', 5.00::decimal(10, 2)),
    (101, 'cash', 20.00::decimal(10, 2)),
    (102, 'card', 45.00::decimal(10, 2)),
    (103, 'bank transfer', 7.25::decimal(10, 2))
) as t(order_id, method, amount)
