"""Output schemas that describe what real servers send instead of policing it.

Clients such as the `mcp` SDK validate ``structuredContent`` against ``outputSchema`` and
fail the call when it does not match, so a declared output schema must accept every answer
the upstream plausibly gives, not only those its OpenAPI document promises:

- every value below the root may also be ``null`` (grpc-gateway writes unset messages so);
- 64-bit integers accept a number or a string (grpc-gateway writes ``int64`` as a string);
- nothing is required, ``additionalProperties: false`` is dropped, ``oneOf`` becomes
  ``anyOf`` (loose branches often overlap);
- value constraints (``enum``, ``const``, ``pattern``, bounds, lengths) are dropped; an
  enumeration moves into the description ("One of: ...") so it is still documented.

Types, properties, items and formats (annotations only) stay; titles and descriptions keep
their first line (enough to find a field, a tenth of the bytes of a long comment).
"""

from __future__ import annotations

from typing import Any

_DROPPED = frozenset(
    {
        "required",
        "const",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "uniqueItems",
        "default",
    }
)
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_VALUES = ("items", "additionalProperties", "not")


def tolerant(schema: dict[str, Any]) -> dict[str, Any]:
    """The tolerant form of an output schema (its root keeps its own types)."""
    result: dict[str, Any] = _tolerant(schema, nested=False)
    return result


def _tolerant(schema: Any, *, nested: bool) -> Any:
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED or (key == "additionalProperties" and value is False):
            continue
        if key == "enum":
            continue
        if key in _SCHEMA_MAPS:
            out[key] = {name: _tolerant(child, nested=True) for name, child in value.items()}
        elif key in _SCHEMA_LISTS:
            out["anyOf" if key == "oneOf" else key] = [
                _tolerant(child, nested=nested) for child in value
            ]
        elif key in _SCHEMA_VALUES:
            out[key] = _tolerant(value, nested=True)
        elif key in ("title", "description") and isinstance(value, str):
            out[key] = value.strip().split("\n", 1)[0].strip()
        else:
            out[key] = value
    if isinstance(schema.get("enum"), list):
        values = ", ".join(str(v) for v in schema["enum"] if v is not None)
        text = f"One of: {values}."
        out["description"] = f"{out['description']}\n\n{text}" if out.get("description") else text
    if nested and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        if "null" not in types:
            out["type"] = [*types, "null"]
    return out
