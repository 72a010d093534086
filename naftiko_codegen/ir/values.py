"""Values: JSON literals, template parts, context references, value sources and bodies."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, TypeAlias

ParamLocation = Literal["path", "query", "header", "cookie", "body"]


ParamType = Literal["string", "number", "integer", "boolean", "array", "object"]


Json: TypeAlias = "None | bool | int | float | str | list[Json] | dict[str, Json]"
"""A JSON value (a literal of the spec, a part of a catalog written at generation time)."""


_PARAM_TYPES = ("string", "number", "integer", "boolean", "array", "object")


def schema_type(schema: dict[str, Any] | None) -> ParamType | None:
    """The first non-null JSON type a JSON Schema names, when it is a parameter type."""
    raw = schema.get("type") if schema is not None else None
    for item in raw if isinstance(raw, list) else [raw]:
        if item in _PARAM_TYPES:
            return item  # type: ignore[no-any-return]
    return None


@dataclasses.dataclass(frozen=True)
class TemplatePart:
    """One piece of a compiled Mustache string: literal text, an input, or a bound variable."""

    kind: Literal["text", "input", "secret", "context"]
    value: str
    """The text, the exposed input's Python identifier, or the bound variable's name."""
    ref: ContextRef | None = None
    """An earlier step's answer or an input, read at a path (kind ``context``)."""


@dataclasses.dataclass(frozen=True)
class PathStep:
    """One step of a compiled JSONPath: a key, an index, or every element (``[*]``)."""

    kind: Literal["key", "index", "all"]
    key: str = ""
    index: int = 0


@dataclasses.dataclass(frozen=True)
class ContextRef:
    """A value an orchestrated operation reads: an earlier step's answer or an exposed
    input (``$.<step>.<path>``, ``{{<step>.<path>}}``), followed along ``path``."""

    kind: Literal["step", "input"]
    name: str
    """The step's name (its key in the generated ``context``) or the input's identifier."""
    path: tuple[PathStep, ...] = ()


@dataclasses.dataclass(frozen=True)
class ValueSource:
    """Where the value of one consumed parameter comes from in one exposed operation."""

    kind: Literal["input", "literal", "template", "object", "array", "context"]
    input: str = ""
    """Python identifier of the exposed input (kind ``input``)."""
    literal: Json = None
    """A constant JSON value (kind ``literal``)."""
    parts: tuple[TemplatePart, ...] = ()
    """The compiled template (kind ``template``)."""
    members: tuple[tuple[str, ValueSource], ...] = ()
    """Keys and values (kind ``object``) or elements under keys ``"0"``, ``"1"``... (``array``)."""
    ref: ContextRef | None = None
    """An earlier step's answer or an input read at a path (kind ``context``)."""


@dataclasses.dataclass(frozen=True)
class RequestBody:
    """A body the consumed operation declares, compiled for one exposed operation."""

    encoding: Literal["json", "text", "form", "multipart"]
    content_type: str
    value: ValueSource
    """The body's value; for ``multipart``, an array of objects with the members ``name``,
    ``value``, ``filename`` and ``contentType`` (the last two literal ``None`` when absent),
    one per part, in order."""


@dataclasses.dataclass(frozen=True)
class BodyTemplate:
    """A consumed operation's ``body`` as written: its type (``json`` for a bare string) and
    its data, with ``{{tags}}`` still to be compiled against a calling unit's inputs."""

    kind: str
    data: Json
    path: tuple[str | int, ...]
    """Where the body is written (its data at ``path + ("data",)``, a bare string at ``path``)."""
    bare: bool = False
    """Written as a bare JSON string (``body: '{"id": "{{id}}"}'``)."""
