select count(*) as rows_in_empty_export from {{ ref('no_orders') }}
