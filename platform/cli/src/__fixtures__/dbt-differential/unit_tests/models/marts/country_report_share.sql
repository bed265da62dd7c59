select country, customers, customers * 1.0 / sum(customers) over () as share from {{ ref('country_report') }}
