"""Judges artifacts with dbt-core's own artifact classes and the JSON schemas dbt builds from them.

Usage: check_artifacts.py KIND=PATH [KIND=PATH ...]   (KIND: manifest, run_results, catalog, sources)
       check_artifacts.py --schemas                     (prints every kind's JSON schema)

Prints one JSON object: per file, the schema errors (a node's errors are reported against the branch of
the union its resource type selects, so they name the field) and whether the class's loader read it.
"""
import json
import sys

from jsonschema import Draft202012Validator
from dbt.artifacts.schemas.catalog import CatalogArtifact
from dbt.artifacts.schemas.freshness import FreshnessExecutionResultArtifact
from dbt.artifacts.schemas.manifest import WritableManifest
from dbt.artifacts.schemas.run import RunResultsArtifact

CLASSES = {
    "manifest": WritableManifest,
    "run_results": RunResultsArtifact,
    "catalog": CatalogArtifact,
    "sources": FreshnessExecutionResultArtifact,
}
TITLES = {"model": "Model", "seed": "Seed", "snapshot": "Snapshot", "analysis": "Analysis", "operation": "HookNode", "sql_operation": "SqlOperation", "function": "Function"}


def errors_of(schema, data, where):
    return [f"{where}{'/'.join(map(str, e.absolute_path))}: {e.message[:400]}" for e in Draft202012Validator(schema).iter_errors(data)]


def branch(union, title):
    return next((b for b in union.get("anyOf", []) if b.get("title") == title), None)


def manifest_errors(schema, data):
    """Each node against the branch dbt would pick for it, then the rest with the maps left open."""
    errors = []
    top = dict(schema)
    props = dict(top["properties"])
    for key, value in props.items():
        entry = value.get("additionalProperties")
        if not isinstance(entry, dict) or not isinstance(data.get(key), dict):
            continue
        for uid, node in data[key].items():
            sub = entry
            if "anyOf" in entry and isinstance(node, dict):
                rt = node.get("resource_type")
                title = TITLES.get(rt) or ("GenericTest" if node.get("test_metadata") else "SingularTest")
                sub = branch(entry, title) or entry
            errors += errors_of(sub, node, f"{key}/{uid}/")
        props[key] = {"type": "object"}
    top["properties"] = props
    return errors + errors_of(top, data, "")


SCHEMAS = {}


def check(kind, path):
    cls = CLASSES[kind]
    # Building a schema from the classes takes seconds; once per kind.
    schema = SCHEMAS.setdefault(kind, cls.json_schema())
    with open(path) as f:
        data = json.load(f)
    errors = manifest_errors(schema, data) if kind == "manifest" else errors_of(schema, data, "")
    loaded, load_error = True, None
    try:
        cls.read_and_check_versions(path)
    except Exception as e:  # the loader's own refusal is the finding
        loaded, load_error = False, f"{type(e).__name__}: {str(e)[:1500]}"
    return {"kind": kind, "path": path, "errors": errors, "loaded": loaded, "load_error": load_error}


def main(argv):
    if argv == ["--schemas"]:
        print(json.dumps({kind: cls.json_schema() for kind, cls in CLASSES.items()}))
        return 0
    out = []
    for arg in argv:
        kind, path = arg.split("=", 1)
        out.append(check(kind, path))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
