"""Operations on converted JSON Schemas: merging ``allOf``, listing and moving ``$defs``.

``allOf`` is merged where its branches can be (properties united, a property in several
branches merged again, ``required`` united, the first description kept), so an agent reads
one object instead of a composition; branches that cannot be merged (a definition on a
cycle, two different ``oneOf``) stay under ``allOf``. :func:`hoist_defs` moves a schema's
``$defs`` into a shared table (``$defs`` of a tool's input schema, ``components/schemas``
of an OpenAPI document), renaming a definition whose name is taken by a different one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DEFS_PREFIX = "#/$defs/"
COMPONENTS_PREFIX = "#/components/schemas/"
_UNITED = ("properties", "required", "type", "allOf")


def references(schema: Any) -> list[str]:
    """The definition names ``schema`` refers to (``#/$defs/<name>``), once per use, in
    document order; nested ``$defs`` are not searched."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(DEFS_PREFIX):
                found.append(ref[len(DEFS_PREFIX) :])
            for key, value in node.items():
                if key not in ("$defs", "enum", "const", "default"):
                    walk(value)

    walk(schema)
    return found


def merge_all_of(
    branches: list[dict[str, Any]], definition: Callable[[Any], dict[str, Any] | None]
) -> dict[str, Any]:
    """One schema meaning ``allOf: branches`` where they can be merged; ``definition``
    looks up a complete definition behind a ``$ref`` (``None``: keep the reference)."""
    merged: dict[str, Any] = {}
    leftover: list[dict[str, Any]] = []
    for branch in branches:
        target = definition(branch.get("$ref")) if "$ref" in branch else None
        if "$ref" in branch and target is None:
            leftover.append(branch)
            continue
        if target is not None:
            branch = {**target, **{k: v for k, v in branch.items() if k != "$ref"}}
        if "$ref" in branch or not _merge_into(merged, branch, definition):
            leftover.append(branch)
    if leftover:
        merged["allOf"] = [*merged.get("allOf", []), *leftover]
    return merged


def _merge_into(
    merged: dict[str, Any],
    branch: dict[str, Any],
    definition: Callable[[Any], dict[str, Any] | None],
) -> bool:
    """Merge ``branch`` into ``merged`` when no keyword conflicts (``False``: unchanged)."""
    for key, value in branch.items():
        if key in merged and key not in _UNITED and merged[key] != value:
            if key in ("title", "description", "default"):
                continue  # the first one written wins
            return False
    types = _types(branch.get("type"))
    if "type" in merged and "type" in branch:
        types = [t for t in _types(merged["type"]) if t in types]
        if not types:
            return False
    for key, value in branch.items():
        if key == "properties":
            properties = merged.setdefault("properties", {})
            for name, child in value.items():
                properties[name] = (
                    merge_all_of([properties[name], child], definition)
                    if name in properties
                    else child
                )
        elif key == "required":
            merged["required"] = [*merged.get("required", [])]
            merged["required"] += [name for name in value if name not in merged["required"]]
        elif key == "type":
            merged["type"] = types[0] if len(types) == 1 else types
        elif key == "allOf":
            merged["allOf"] = [*merged.get("allOf", []), *value]
        elif key not in merged:
            merged[key] = value
    return True


def _types(value: Any) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def hoist_defs(schema: dict[str, Any], table: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``schema`` without its ``$defs``, which move into ``table`` (a name taken by a
    different definition gets a suffix); every reference is rewritten to ``prefix`` + name
    (``#/$defs/``, ``#/components/schemas/``)."""
    own = schema.get("$defs")
    if not isinstance(own, dict):
        if prefix == DEFS_PREFIX:
            return schema
        plain: dict[str, Any] = _rewrite(schema, {}, prefix)
        return plain
    renames: dict[str, str] = {}
    for name, definition in own.items():
        final, counter = name, 1
        while final in table and _rewrite(definition, renames, prefix) != table[final]:
            counter += 1
            final = f"{name}_{counter}"
        renames[name] = final
    for name, definition in own.items():
        table[renames[name]] = _rewrite(definition, renames, prefix)
    body = {key: value for key, value in schema.items() if key != "$defs"}
    rewritten: dict[str, Any] = _rewrite(body, renames, prefix)
    return rewritten


def _rewrite(node: Any, renames: dict[str, str], prefix: str) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, renames, prefix) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith(DEFS_PREFIX):
            name = value[len(DEFS_PREFIX) :]
            result[key] = prefix + renames.get(name, name)
        elif key in ("enum", "const", "default"):
            result[key] = value
        else:
            result[key] = _rewrite(value, renames, prefix)
    return result
