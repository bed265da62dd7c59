{% macro model_named(name) %}
    {% set found = graph.nodes.values()
        | selectattr("resource_type", "equalto", "model")
        | selectattr("name", "equalto", name)
        | list %}
    {% if found | length == 0 %}
        {{ exceptions.raise_compiler_error("sql_checks: no model named " ~ name ~ " in the graph") }}
    {% endif %}
    {{ return(found[0]) }}
{% endmacro %}

{#- In a node tagged 'inline', a model is read as its own SQL, rendered here, instead of its relation.
    While parsing, config.get() has nothing to give, so the graph records an ordinary ref. -#}
{% macro relation_or_sql(name) %}
    {% if "inline" in config.get("tags", []) %}
        {% set node = sql_checks.model_named(name) %}
        {{ return("(" ~ render(node.raw_code) ~ ")") }}
    {% endif %}
    {{ return(builtins.ref(name)) }}
{% endmacro %}

{% macro column_list(columns, prefix="") %}
    {% set parts = [] %}
    {% for column in columns %}
        {% set parts = parts.append(prefix ~ column) %}
    {% endfor %}
    {{ return(parts | join(", ")) }}
{% endmacro %}
