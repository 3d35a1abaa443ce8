"""config/README.md's key tables, generated from the config schema so that the two never disagree.

    python -m robopt.schema_docs workflow/schemas/config.schema.yaml config/README.md

Every property of the schema becomes one row (key, type, default, description), under the heading of its top-level
block; the hand-written text of the README stays, and only the part between the two markers is rewritten.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

BEGIN = "<!-- BEGIN generated from workflow/schemas/config.schema.yaml by `python -m robopt.schema_docs`; edit the schema -->"
END = "<!-- END generated -->"
#: How a map's keys are written in a key path (``training.<dataset>.model``).
MAP_KEYS = {"training": "<dataset>", "official": "<dataset>", "stand_ins": "<dataset>", "experiments": "<name>",
            "tune": "<hyperparameter>"}


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a ``$ref`` replaced by its target (the ref's siblings, such as a description, win)."""
    while "$ref" in node:
        target = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def type_words(node: dict[str, Any], schema: dict[str, Any]) -> str:
    """The type of a property in words: a named list of values (``corruption name``), its enum values, or its JSON
    type(s)."""
    if "enum" in node:
        for name, definition in schema.get("definitions", {}).items():
            if definition.get("enum") == node["enum"] and len(node["enum"]) > 6:
                return name.replace("_", " ")
        return " \\| ".join(f"`{value}`" for value in node["enum"])
    kind = node.get("type", "object")
    if kind == "array":
        return "list"
    if isinstance(kind, list):
        return " or ".join("null" if k == "null" else k for k in kind)
    return {"number": "number", "integer": "integer", "boolean": "boolean", "string": "string"}.get(kind, kind)


def bounds(node: dict[str, Any]) -> str:
    words = []
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in node:
            words.append(f"{sign} {node[key]:g}" if isinstance(node[key], float) else f"{sign} {node[key]}")
    return ", ".join(words)


def rows(schema: dict[str, Any], node: dict[str, Any], path: str, required: bool) -> list[tuple[str, ...]]:
    """Table rows of ``node`` at key ``path`` and of everything below it."""
    node = resolve(schema, node)
    out = []
    children = node.get("properties", {})
    maps = node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else None
    is_leaf = not children and (maps is None or "properties" not in resolve(schema, maps))
    if path and (is_leaf or "description" in node):
        kind = type_words(node, schema)
        items = resolve(schema, node.get("items", {})) if node.get("type") == "array" else {}
        if items:
            kind = f"list of {type_words(items, schema)}"
        limits = bounds(items or node)
        default = f"`{json.dumps(node['default'])}`" if "default" in node else ("required" if required else "-")
        description = " ".join(node.get("description", "").split())
        out.append((f"`{path}`", kind + (f" ({limits})" if limits else ""), default, description))
    needed = set(node.get("required", []))
    for name, child in children.items():
        out += rows(schema, child, f"{path}.{name}" if path else name, name in needed)
    if maps is not None and "properties" in resolve(schema, maps):
        key = MAP_KEYS.get(path.rsplit(".", 1)[-1], "<key>")
        out += rows(schema, maps, f"{path}.{key}", False)
    return out


def reference(schema: dict[str, Any]) -> str:
    """The generated Markdown: one table per top-level block, every key of the schema in it."""
    parts = [BEGIN, ""]
    header = "| key | type | default | meaning |\n| --- | --- | --- | --- |"
    top = [row for name, child in schema["properties"].items() if "properties" not in resolve(schema, child)
           and not isinstance(resolve(schema, child).get("additionalProperties"), dict)
           for row in rows(schema, child, name, name in schema.get("required", []))]
    parts += ["### Top level", "", header, *("| " + " | ".join(row) + " |" for row in top), ""]
    for name, child in schema["properties"].items():
        block = rows(schema, child, name, name in schema.get("required", []))
        if any(row[0] == f"`{name}`" for row in top):
            continue
        parts += [f"### `{name}`", "", header, *("| " + " | ".join(row) + " |" for row in block), ""]
    return "\n".join(parts + [END])


def undocumented(schema: dict[str, Any]) -> list[str]:
    """Key paths whose schema entry has no description."""
    table = [row for name, child in schema["properties"].items()
             for row in rows(schema, child, name, False)]
    return [row[0] for row in table if not row[3]]


def updated(readme: str, schema: dict[str, Any]) -> str:
    """``readme`` with its generated part replaced by the reference of ``schema`` (appended when absent)."""
    if BEGIN in readme and END in readme:
        before, rest = readme.split(BEGIN, 1)
        return before + reference(schema) + rest.split(END, 1)[1]
    return readme.rstrip("\n") + "\n\n" + reference(schema) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("schema", type=Path)
    parser.add_argument("readme", type=Path)
    args = parser.parse_args()
    schema = yaml.safe_load(args.schema.read_text())
    args.readme.write_text(updated(args.readme.read_text(), schema))
    missing = undocumented(schema)
    if missing:
        raise SystemExit(f"keys without a description in {args.schema}: {', '.join(missing)}")


if __name__ == "__main__":
    main()
