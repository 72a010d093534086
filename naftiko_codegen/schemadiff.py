"""Two JSON Schemas of one value compared, in the direction the value travels.

An argument (``input``) may be sent by existing clients with anything the old schema
accepted: narrowing its type, removing an enum value, removing or requiring a property
breaks them. An answer (``output``) is relied on as the old schema promised: widening its
type, adding an enum value, removing a property or making it optional breaks them. Types
compare as sets of JSON types (a missing ``type`` accepts any, ``number`` includes
``integer``); properties, ``required``, ``enum`` and ``items`` are followed recursively.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

Direction = Literal["input", "output"]

_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})


class Emit(Protocol):
    """Records one change: breaking or not, its kind, element, message and location."""

    def __call__(
        self, breaking: bool, kind: str, name: str, message: str, location: str
    ) -> None: ...


Schema = Mapping[str, Any]


class SchemaComparer:
    """Reports the changes between schemas of values travelling in ``direction`` through
    ``emit``."""

    def __init__(self, emit: Emit, direction: Direction) -> None:
        self.emit = emit
        self.direction = direction

    def _description(self, name: str, field: str, before: str, after: str, where: str) -> None:
        if before != after:
            self.emit(False, f"{field}-changed", name, f"the {field} of {name} changed", where)

    def object_schema(
        self,
        name: str,
        before: Schema,
        after: Schema,
        where: str,
        *,
        where_of: Callable[[str], str] | None = None,
        path: str = "",
    ) -> None:
        """Properties and ``required`` of two object schemas."""
        direction = self.direction
        old_props = before.get("properties") or {}
        new_props = after.get("properties") or {}
        old_required = set(before.get("required") or ())
        new_required = set(after.get("required") or ())
        noun = "argument" if direction == "input" else "output property"
        kind = "argument" if direction == "input" else "output-property"
        for prop in old_props:
            if prop not in new_props:
                self.emit(
                    True,
                    f"{kind}-removed",
                    f"{name} {noun} {path}{prop}",
                    f"the {noun} `{path}{prop}` of {name} was removed",
                    where,
                )
        for prop, schema in new_props.items():
            item = f"{name} {noun} {path}{prop}"
            at = where_of(prop) if where_of is not None and not path else where
            required = prop in new_required
            if prop not in old_props:
                if direction == "input":
                    self.emit(
                        required,
                        "argument-added-required" if required else "argument-added",
                        item,
                        f"{name} takes a new {'required' if required else 'optional'} "
                        f"argument `{path}{prop}`",
                        at,
                    )
                else:
                    self.emit(
                        False,
                        "output-property-added",
                        item,
                        f"the answer of {name} has a new property `{path}{prop}`",
                        at,
                    )
                continue
            was = prop in old_required
            if was != required:
                breaking = required if direction == "input" else not required
                state = "required" if required else "optional"
                self.emit(
                    breaking,
                    f"{kind}-now-{state}",
                    item,
                    f"the {noun} `{path}{prop}` of {name} is now {state}",
                    at,
                )
            self.schema(item, old_props[prop], schema, at, owner=name, path=f"{path}{prop}.")

    def schema(
        self,
        name: str,
        before: Schema,
        after: Schema,
        where: str,
        *,
        owner: str | None = None,
        path: str = "",
    ) -> None:
        """Two JSON Schemas of the value ``name``: types, enums, then its properties (named
        ``<owner> <noun> <path><property>``) and items."""
        old_types, new_types = _types(before), _types(after)
        if old_types != new_types:
            narrowed = _accepts(old_types) > _accepts(new_types)
            widened = _accepts(old_types) < _accepts(new_types)
            shown = f"{_show(old_types)} → {_show(new_types)}"
            if self.direction == "input":
                kind = (
                    "type-narrowed" if narrowed else "type-widened" if widened else "type-changed"
                )
                self.emit(not widened, kind, name, f"the type of {name} changed ({shown})", where)
            else:
                kind = (
                    "output-type-widened"
                    if widened
                    else "output-type-narrowed" if narrowed else "output-type-changed"
                )
                self.emit(not narrowed, kind, name, f"the type of {name} changed ({shown})", where)
        self.enum(name, before, after, where)
        if "description" in before or "description" in after:
            self._description(
                name,
                "description",
                str(before.get("description", "")),
                str(after.get("description", "")),
                where,
            )
        if "properties" in before or "properties" in after:
            self.object_schema(owner or name, before, after, where, path=path)
        old_items, new_items = before.get("items"), after.get("items")
        if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
            self.schema(
                f"{name}[]",
                old_items,
                new_items,
                where,
                owner=owner,
                path=f"{path.rstrip('.')}[]." if path else "[].",
            )

    def enum(self, name: str, before: Schema, after: Schema, where: str) -> None:
        """The values two ``enum`` lists accept (no list: any value)."""
        direction = self.direction
        old, new = before.get("enum"), after.get("enum")
        if old == new:
            return
        old_values = list(old) if isinstance(old, list) else None
        new_values = list(new) if isinstance(new, list) else None
        removed = [v for v in old_values or [] if new_values is not None and v not in new_values]
        added = [v for v in new_values or [] if old_values is not None and v not in old_values]
        if old_values is None:  # an enum where any value was accepted
            removed = ["(any other value)"]
        if new_values is None:
            added = ["(any value)"]
        prefix = "" if direction == "input" else "output-"
        for value in removed:
            self.emit(
                direction == "input",
                f"{prefix}enum-value-removed",
                f"{name} enum {value}",
                f"{name} no longer {'accepts' if direction == 'input' else 'answers'} "
                f"{_value(value)}",
                where,
            )
        for value in added:
            self.emit(
                direction == "output",
                f"{prefix}enum-value-added",
                f"{name} enum {value}",
                f"{name} now {'accepts' if direction == 'input' else 'may answer'} "
                f"{_value(value)}",
                where,
            )


def _types(schema: Mapping[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    if declared is None:
        return _ALL_TYPES
    if isinstance(declared, str):
        return frozenset({declared})
    return frozenset(str(t) for t in declared)


def _accepts(types: frozenset[str]) -> frozenset[str]:
    """The JSON types values of ``types`` may have (``number`` includes ``integer``)."""
    return types | {"integer"} if "number" in types else types


def _show(types: frozenset[str]) -> str:
    return "any" if types == _ALL_TYPES else "|".join(sorted(types))


def _value(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith("(") else repr(value)
