{{ config(group='marketing') }}
select segment, count(*) as customers from {{ ref('dim_customers', v=2) }} group by 1
