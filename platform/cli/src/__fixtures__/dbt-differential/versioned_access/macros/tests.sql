{% test row_count_at_least(model, min_rows) %}
select count(*) as n from {{ model }} having count(*) < {{ min_rows }}
{% endtest %}

{% test positive(model, column_name) %}
select * from {{ model }} where {{ column_name }} <= 0
{% endtest %}
