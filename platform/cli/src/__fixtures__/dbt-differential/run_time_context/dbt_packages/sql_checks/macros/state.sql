{#- State shared by the macros of one render, kept in the render's own context. -#}
{% macro remember(key, value) %}
    {% set store = context.get("__sql_checks__", {}) %}
    {% do store.update({key: value}) %}
    {% do context.update({"__sql_checks__": store}) %}
{% endmacro %}

{% macro recall(key, default=none) %}
    {{ return(context.get("__sql_checks__", {}).get(key, default)) }}
{% endmacro %}
