"""OpenAPI schemas (3.0, 3.1, Swagger 2.0) as JSON Schema 2020-12, for one direction.

Conversion keeps the keywords JSON Schema defines, each only with a value of the right
kind, so every result passes the 2020-12 meta-schema whatever the document wrote:
``nullable``/``x-nullable`` become a ``"null"`` type, boolean ``exclusiveMinimum`` becomes
the numeric form, Swagger's ``file`` a binary string, array ``items`` are always present,
and extensions, ``discriminator``, ``xml`` and examples are left out. ``allOf`` is merged
(:mod:`.combine`), ``oneOf``/``anyOf`` are kept. Inputs leave ``readOnly`` properties out,
outputs ``writeOnly`` ones. 64-bit integers (``int64``, ``uint64``) accept a number or a
string of digits, as grpc-gateway servers write them.

Every ``$ref`` first becomes a reference into ``$defs``; :meth:`SchemaConverter.document`
then inlines each definition that is used once or is small, and keeps in ``$defs`` only
the large shared ones and those on a cycle (a cycle is cut with a reference).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Literal

from .combine import DEFS_PREFIX, merge_all_of, references
from .document import Dialect, Schema
from .refs import RefKey, Resolver
from .tolerance import tolerant

Mode = Literal["input", "output"]
JSON_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
INLINE_BYTES = 400
"""A definition whose JSON is at most this long is inlined wherever it is used."""
MAX_DEPTH = 64
"""Deepest nesting of schemas converted (real documents nest a dozen levels)."""
_TEXT = ("title", "description", "format")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_NUMBERS = ("minimum", "maximum")
_FLAGS = ("uniqueItems", "readOnly", "writeOnly", "deprecated")
_SIXTY_FOUR_BITS = ("int64", "uint64")
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class SchemaConverter:
    """Converts the schemas of one OpenAPI document for inputs or for outputs."""

    def __init__(self, resolver: Resolver, dialect: Dialect, mode: Mode) -> None:
        self.resolver = resolver
        self.dialect = dialect
        self.mode = mode
        self.defs: dict[str, dict[str, Any]] = {}
        """Every referenced schema converted so far, by definition name."""
        self._names: dict[RefKey, str] = {}
        self._active: set[str] = set()
        self._depth = 0

    def document(self, schema: Schema) -> dict[str, Any]:
        """``schema`` as a self-contained JSON Schema (its ``$defs`` at the root)."""
        root = self.convert(schema.node, schema.where)
        document = _inline(root, self.defs)
        return tolerant(document) if self.mode == "output" else document

    def convert(self, node: Any, where: RefKey) -> dict[str, Any]:
        """One schema object; ``$ref`` values become references into :attr:`defs`. Below
        :data:`MAX_DEPTH` nested schemas (references followed included), anything goes."""
        if node is True or node is None or self._depth >= MAX_DEPTH:
            return {}
        self._depth += 1
        try:
            return self._convert(node, where)
        finally:
            self._depth -= 1

    def _convert(self, node: Any, where: RefKey) -> dict[str, Any]:
        if node is True or node is None:
            return {}
        if node is False:
            return {"not": {}}
        if not isinstance(node, dict):
            return {}
        if "$ref" in node:
            return self.reference(node, where)
        out: dict[str, Any] = {}
        types = self.types(node)
        for key in _TEXT:
            if isinstance(node.get(key), str):
                out[key] = node[key]
        if node.get("type") == "file" and self.dialect == "2.0":
            out["format"] = "binary"  # Swagger 2.0's upload parameter
        if types:
            out["type"] = types[0] if len(types) == 1 else types
        if isinstance(node.get("enum"), list) and node["enum"]:
            out["enum"] = _unique([*node["enum"], *([None] if "null" in types else [])])
        for key in ("default", "const"):
            if key in node:
                out[key] = node[key]
        self.numbers(node, out)
        for key in _COUNTS:
            if isinstance(node.get(key), int) and not isinstance(node[key], bool):
                out[key] = max(0, node[key])
        for key in _FLAGS:
            if isinstance(node.get(key), bool):
                out[key] = node[key]
        if isinstance(node.get("pattern"), str) and _compiles(node["pattern"]):
            out["pattern"] = node["pattern"]
        self.children(node, where, out)
        if "array" in types and "items" not in out and "prefixItems" not in out:
            out["items"] = {}
        if out.get("format") in _SIXTY_FOUR_BITS and set(types) & {"integer", "string"}:
            out["type"] = _sixty_four_bits(types)
            if self.mode == "input":
                out["pattern"] = "^-?[0-9]+$"  # applies to the string spelling only
        if isinstance(node.get("allOf"), list):
            branches = [
                self.convert(item, where + "allOf" + i) for i, item in enumerate(node["allOf"])
            ]
            out = merge_all_of([out, *branches], self.complete_def)
        return out

    def types(self, node: dict[str, Any]) -> list[str]:
        """The JSON types ``node`` allows (``nullable`` adds ``"null"``)."""
        raw = node.get("type")
        written = raw if isinstance(raw, list) else [raw] if raw is not None else []
        types: list[str] = []
        for item in written:
            item = "string" if item == "file" and self.dialect == "2.0" else item
            if item in JSON_TYPES and item not in types:
                types.append(str(item))
        nullable = node.get("nullable") is True or node.get("x-nullable") is True
        if nullable and types and "null" not in types:
            types.append("null")
        return types

    def numbers(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        """Bounds; OpenAPI 3.0 and Swagger 2.0 write exclusive bounds as booleans."""
        for key in _NUMBERS:
            if _is_number(node.get(key)):
                out[key] = node[key]
        for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = node.get(key)
            if value is True and bound in out:
                out[key] = out.pop(bound)
            elif _is_number(value):
                out[key] = value
        if _is_number(node.get("multipleOf")) and node["multipleOf"] > 0:
            out["multipleOf"] = node["multipleOf"]

    def children(self, node: dict[str, Any], where: RefKey, out: dict[str, Any]) -> None:
        """Sub-schemas: properties (minus those the direction leaves out), items, unions."""
        properties = node.get("properties")
        if isinstance(properties, dict):
            kept: dict[str, Any] = {}
            for name, child in properties.items():
                converted = self.convert(child, where + "properties" + str(name))
                if not self.left_out(converted):
                    kept[str(name)] = converted
            out["properties"] = kept
        required = node.get("required")
        if isinstance(required, list):
            names = [n for n in _unique(required) if isinstance(n, str)]
            if isinstance(properties, dict):
                names = [n for n in names if n in out["properties"] or n not in properties]
            if names:
                out["required"] = names
        extra = node.get("additionalProperties")
        if isinstance(extra, bool):
            out["additionalProperties"] = extra
        elif isinstance(extra, dict):
            out["additionalProperties"] = self.convert(extra, where + "additionalProperties")
        items = node.get("items")
        if isinstance(items, dict | bool):
            out["items"] = self.convert(items, where + "items")
        elif isinstance(items, list) and items:
            out["prefixItems"] = [self.convert(x, where + "items" + i) for i, x in enumerate(items)]
        elif isinstance(node.get("prefixItems"), list) and node["prefixItems"]:
            out["prefixItems"] = [
                self.convert(x, where + "prefixItems" + i)
                for i, x in enumerate(node["prefixItems"])
            ]
        for key in ("anyOf", "oneOf"):
            if isinstance(node.get(key), list) and node[key]:
                out[key] = [self.convert(x, where + key + i) for i, x in enumerate(node[key])]
        if isinstance(node.get("not"), dict):
            out["not"] = self.convert(node["not"], where + "not")

    def left_out(self, schema: dict[str, Any]) -> bool:
        """True for a property this direction does not carry (``readOnly`` in inputs,
        ``writeOnly`` in outputs), also when its definition says so."""
        flag = "readOnly" if self.mode == "input" else "writeOnly"
        if schema.get(flag) is True:
            return True
        target = self.complete_def(schema.get("$ref"))
        return target is not None and target.get(flag) is True and len(schema) == 1

    def reference(self, node: dict[str, Any], where: RefKey) -> dict[str, Any]:
        """``{"$ref": "#/$defs/<name>"}`` for the schema ``node`` names (converted once),
        with the keywords written beside ``$ref`` (``description``, ``readOnly``...)."""
        resolved = self.resolver.resolve(node["$ref"], where)
        siblings = self.convert({k: v for k, v in node.items() if k != "$ref"}, where)
        if resolved is None:
            return siblings
        name = self._names.get(resolved.key)
        if name is None:
            name = self._names[resolved.key] = self._fresh_name(resolved.key)
            self._active.add(name)
            self.defs[name] = self.convert(resolved.value, resolved.key)
            self._active.discard(name)
        return {"$ref": DEFS_PREFIX + name, **siblings}

    def complete_def(self, ref: Any) -> dict[str, Any] | None:
        """The converted definition ``ref`` names, unless it is still being converted (a
        cycle) or names none."""
        if not isinstance(ref, str) or not ref.startswith(DEFS_PREFIX):
            return None
        name = ref[len(DEFS_PREFIX) :]
        return None if name in self._active else self.defs.get(name)

    def _fresh_name(self, key: RefKey) -> str:
        last = next((str(p) for p in reversed(key.path) if isinstance(p, str)), "schema")
        stem = _NAME.sub("_", last).strip("_") or "schema"
        taken = set(self._names.values())
        name, counter = stem, 1
        while name in taken:
            counter += 1
            name = f"{stem}_{counter}"
        return name


def _inline(root: dict[str, Any], defs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``root`` with every definition inlined except those on a cycle and those that are
    referenced from several places and large once expanded, which stay in ``$defs`` (only
    the ones still used). Whatever the document, the result grows linearly with it: a
    definition copied to several places is at most :data:`INLINE_BYTES` long."""
    graph = {name: references(schema) for name, schema in defs.items()}
    reachable = _reachable(references(root), graph)
    recursive = {name for name in reachable if name in _reachable(graph[name], graph)}
    sites = Counter(references(root))
    for name in reachable:
        sites.update(graph[name])
    keep = set(recursive)
    expanded: dict[str, int] = {}
    for name in reversed(_parents_first(reachable - recursive, graph)):  # children first
        inlined = [child for child in graph[name] if child in expanded and child not in keep]
        expanded[name] = len(json.dumps(defs[name])) + sum(expanded[c] for c in inlined)
        if sites[name] > 1 and expanded[name] > INLINE_BYTES:
            keep.add(name)
    written: dict[str, Any] = {}

    def expand(schema: Any) -> Any:
        if isinstance(schema, list):
            return [expand(item) for item in schema]
        if not isinstance(schema, dict):
            return schema
        name = _def_name(schema.get("$ref"))
        if name is not None and name not in keep:
            siblings = {k: expand(v) for k, v in schema.items() if k != "$ref"}
            if name not in written:
                written[name] = expand(defs.get(name, {}))
            target = written[name]
            if "title" in siblings or "description" in siblings:  # the use says more
                target = {k: v for k, v in target.items() if k not in ("title", "description")}
            return {**target, **siblings}
        return {key: expand(value) for key, value in schema.items()}

    result: dict[str, Any] = expand(root)
    cut = _def_name(result.get("$ref"))
    if cut is not None:  # a root on a cycle: its first level is written out
        result = {**expand(defs[cut]), **{k: v for k, v in result.items() if k != "$ref"}}
    if keep:
        result["$defs"] = {name: expand(defs[name]) for name in sorted(keep)}
    return result


def _def_name(ref: Any) -> str | None:
    if isinstance(ref, str) and ref.startswith(DEFS_PREFIX):
        return ref[len(DEFS_PREFIX) :]
    return None


def _reachable(start: list[str], graph: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        name = stack.pop()
        if name not in seen and name in graph:
            seen.add(name)
            stack.extend(graph[name])
    return seen


def _parents_first(names: set[str], graph: dict[str, list[str]]) -> list[str]:
    """``names`` (no cycles among them) ordered so that a definition comes after every
    definition that uses it (Kahn's algorithm, ties by name)."""
    waiting = {name: 0 for name in names}
    for name in names:
        for child in set(graph[name]) & names:
            waiting[child] += 1
    ready = sorted(name for name, count in waiting.items() if count == 0)
    order: list[str] = []
    while ready:
        name = ready.pop(0)
        order.append(name)
        for child in sorted(set(graph[name]) & names):
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
        ready.sort()
    return order


def _sixty_four_bits(types: list[str]) -> list[str]:
    kinds = ["integer", "string"]
    return kinds + ["null"] * ("null" in types)


def _unique(values: list[Any]) -> list[Any]:
    found: list[Any] = []
    for value in values:
        if value not in found:
            found.append(value)
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError):
        return False
    return True
