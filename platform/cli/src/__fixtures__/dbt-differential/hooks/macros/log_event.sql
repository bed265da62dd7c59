{% macro log_event(event, relation, detail) -%}
  insert into audit.build_log values ('{{ event }}', '{{ relation }}', '{{ detail }}')
{%- endmacro %}
