"""Renders the gateway's OpenAPI document (JSON on stdin) as docs/api.md (on stdout).

`./stacyvm docs` writes docs/api.md from a running suite; `./stacyvm test` renders it again from
the test instance and fails when the committed file differs, so the reference never drifts.
"""

import json
import sys

METHODS = ("get", "post", "put", "patch", "delete")


def schema_name(schema):
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return schema_name(schema.get("items")) + "[]"
    if schema.get("format") == "binary":
        return "bytes"
    return schema.get("type", "")


def body_of(content):
    if not content:
        return ""
    return ", ".join(f"`{media}` {schema_name(entry.get('schema'))}".strip() for media, entry in sorted(content.items()))


def properties(schema, schemas):
    rows = []
    for name, prop in sorted((schema.get("properties") or {}).items()):
        kind = schema_name(prop) or ("object" if "additionalProperties" in prop else "")
        if prop.get("type") == "object" and "additionalProperties" in prop:
            kind = "map of " + (schema_name(prop["additionalProperties"]) or "any")
        rows.append(f"| `{name}` | {kind} | {prop.get('description', '').replace(chr(10), ' ')} |")
    return rows


def render(document):
    info = document["info"]
    schemas = document.get("components", {}).get("schemas", {})
    out = [f"# {info['title']} reference ({info['version']})", "",
           "Generated from the gateway's OpenAPI document (`/q/openapi`) by `docs/tools/openapi_to_markdown.py`;",
           "do not edit by hand: `./stacyvm docs` writes it again.", "", info.get("description", ""), ""]
    by_tag = {}
    for path, operations in document["paths"].items():
        for method in METHODS:
            if method in operations:
                operation = operations[method]
                tag = (operation.get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((path, method, operation))
    for tag in sorted(by_tag):
        out += [f"## {tag}", ""]
        for path, method, operation in sorted(by_tag[tag], key=lambda item: (item[0], METHODS.index(item[1]))):
            out += [f"### `{method.upper()} {path}`", ""]
            if operation.get("summary"):
                out += [operation["summary"], ""]
            if operation.get("description"):
                out += [operation["description"].strip(), ""]
            parameters = operation.get("parameters") or []
            if parameters:
                out += ["| Parameter | In | Type | Required |", "|---|---|---|---|"]
                out += [f"| `{p['name']}` | {p.get('in', '')} | {schema_name(p.get('schema'))} | "
                        f"{'yes' if p.get('required') else 'no'} |" for p in parameters]
                out.append("")
            request = (operation.get("requestBody") or {}).get("content")
            if request:
                out += [f"Body: {body_of(request)}", ""]
            responses = operation.get("responses") or {}
            out += ["| Status | Meaning | Body |", "|---|---|---|"]
            out += [f"| {status} | {answer.get('description', '')} | {body_of(answer.get('content'))} |"
                    for status, answer in sorted(responses.items())]
            out.append("")
    out += ["## Schemas", ""]
    for name in sorted(schemas):
        schema = schemas[name]
        out += [f"### {name}", ""]
        if schema.get("description"):
            out += [schema["description"].strip(), ""]
        rows = properties(schema, schemas)
        if rows:
            out += ["| Field | Type | Meaning |", "|---|---|---|"] + rows + [""]
        elif schema.get("enum"):
            out += ["One of: " + ", ".join(f"`{value}`" for value in schema["enum"]), ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(json.load(sys.stdin)))
