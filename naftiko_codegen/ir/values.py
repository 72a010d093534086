"""Values: JSON literals, template parts, context references, value sources and bodies."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, TypeAlias

ParamLocation = Literal["path", "query", "header", "cookie", "body"]


ParamType = Literal["string", "number", "integer", "boolean", "array", "object"]


Json: TypeAlias = "None | bool | int | float | str | list[Json] | dict[str, Json]"
"""A JSON value (a literal of the spec, a part of a catalog written at generation time)."""


_PARAM_TYPES = ("string", "number", "integer", "boolean", "array", "object")


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A named value on the wire: what a consumed parameter and an exposed input share."""

    name: str
    """The wire name (``id.project``)."""
    ident: str
    """The Python name (:mod:`naftiko_codegen.names`)."""
    location: ParamLocation
    type: ParamType
    required: bool
    description: str


def schema_type(schema: dict[str, Any] | None) -> ParamType | None:
    """The first non-null JSON type a JSON Schema names, when it is a parameter type."""
    raw = schema.get("type") if schema is not None else None
    for item in raw if isinstance(raw, list) else [raw]:
        if item in _PARAM_TYPES:
            return item  # type: ignore[no-any-return]
    return None


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
class InputValue:
    """The value of an exposed input (its Python identifier), as the caller sent it."""

    input: str


@dataclasses.dataclass(frozen=True)
class LiteralValue:
    """A constant JSON value of the spec."""

    literal: Json = None


@dataclasses.dataclass(frozen=True)
class TemplateValue:
    """A compiled Mustache string: its pieces joined as text at run time."""

    parts: tuple[TemplatePart, ...]


@dataclasses.dataclass(frozen=True)
class ObjectValue:
    """A JSON object whose members are value sources of their own."""

    members: tuple[tuple[str, ValueSource], ...]


@dataclasses.dataclass(frozen=True)
class ArrayValue:
    """A JSON array whose elements are value sources of their own."""

    items: tuple[ValueSource, ...]


@dataclasses.dataclass(frozen=True)
class ContextValue:
    """An earlier step's answer or an input, read at a path (kept as JSON, not text)."""

    ref: ContextRef


@dataclasses.dataclass(frozen=True)
class SecretValue:
    """A bound variable, by its name (its key in ``settings.secrets``): always text."""

    name: str


ValueSource: TypeAlias = (
    "InputValue | LiteralValue | TemplateValue | ObjectValue | ArrayValue | ContextValue"
    " | SecretValue"
)
"""Where a value comes from in one exposed operation: one frozen dataclass per kind."""

TemplatePart: TypeAlias = "LiteralValue | SecretValue | InputValue | ContextValue"
"""One piece of a compiled Mustache string: literal text (a string literal), a bound
variable, an input or an earlier step's answer, joined as text."""


def nested_sources(source: ValueSource) -> list[ValueSource]:
    """``source`` and every value source nested in it (members, items, template parts),
    outermost first."""
    children: tuple[ValueSource, ...] = ()
    if isinstance(source, ObjectValue):
        children = tuple(value for _, value in source.members)
    elif isinstance(source, ArrayValue):
        children = source.items
    elif isinstance(source, TemplateValue):
        children = source.parts
    return [source, *(nested for child in children for nested in nested_sources(child))]


def read_inputs(source: ValueSource) -> set[str]:
    """The identifiers of the inputs ``source`` reads, nested sources included."""
    names = set()
    for nested in nested_sources(source):
        if isinstance(nested, InputValue):
            names.add(nested.input)
        elif isinstance(nested, ContextValue) and nested.ref.kind == "input":
            names.add(nested.ref.name)
    return names


@dataclasses.dataclass(frozen=True)
class EncodedBody:
    """A body the consumed operation declares, compiled for one exposed operation and sent
    as JSON, text or a form."""

    encoding: Literal["json", "text", "form"]
    content_type: str
    value: ValueSource


@dataclasses.dataclass(frozen=True)
class MultipartPart:
    """One part of a ``multipart/form-data`` body."""

    name: ValueSource
    value: ValueSource
    filename: ValueSource = LiteralValue()
    content_type: ValueSource = LiteralValue()
    """``None`` (a literal) when the spec names none."""

    @property
    def fields(self) -> tuple[ValueSource, ValueSource, ValueSource, ValueSource]:
        """The name, value, filename and content type, in that order."""
        return (self.name, self.value, self.filename, self.content_type)


@dataclasses.dataclass(frozen=True)
class MultipartBody:
    """A ``multipart/form-data`` body, its parts in order (httpx writes the boundary)."""

    parts: tuple[MultipartPart, ...]
    content_type: str = "multipart/form-data"

    @property
    def sources(self) -> tuple[ValueSource, ...]:
        """Every value the parts are made of."""
        return tuple(source for part in self.parts for source in part.fields)


RequestBody: TypeAlias = "EncodedBody | MultipartBody"
"""A body the consumed operation declares, compiled for one exposed operation."""


def body_sources(body: RequestBody) -> tuple[ValueSource, ...]:
    """The value sources a request body is built from."""
    return body.sources if isinstance(body, MultipartBody) else (body.value,)


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
