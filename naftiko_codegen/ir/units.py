"""What exposed units share: inputs, output shapes, invocations and steps."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Literal, TypeAlias

from .consumes import ConsumedApi, ConsumedOperation, ConsumedParam
from .values import (
    ContextRef,
    ContextValue,
    LiteralValue,
    Parameter,
    ParamType,
    PathStep,
    RequestBody,
    ValueSource,
)


@dataclasses.dataclass(frozen=True)
class ExposedInput(Parameter):
    """An input of an exposed REST operation or MCP tool."""

    selector: tuple[PathStep, ...] = ()
    """For REST body inputs: where the value sits in the JSON body."""
    schema: dict[str, Any] | None = None
    """The JSON Schema of the value from the upstream's OpenAPI document, if known."""

    @property
    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of this input's value; an array always says what its items are
        (strings for query, header, cookie and path values, anything in a body)."""
        if self.schema is not None:
            typed = {k: v for k, v in self.schema.items() if k != "description"}
            return {**typed, **({"description": self.description} if self.description else {})}
        schema: dict[str, Any] = {"type": self.type}
        if self.location == "path" and self.type == "string":
            schema["minLength"] = 1  # an empty segment would call another upstream path
        if self.type == "array":
            wire_text = self.location in ("query", "header", "cookie", "path")
            schema["items"] = {"type": "string"} if wire_text else {}
        if self.description:
            schema["description"] = self.description
        return schema


@dataclasses.dataclass(frozen=True)
class ValueShape:
    """A value of a shaped result that is a constant or a template (mock outputs), not read
    from the answer; a scalar ``type`` converts it."""

    type: ParamType
    value: ValueSource
    path: ClassVar[None] = None

    @property
    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of the value (``null`` allowed where the constant is ``null``)."""
        if self.type == "object":
            return {"type": "object", "properties": {}}
        if self.type == "array":
            return {"type": ["array", "null"], "items": {}}
        nullable = self.value == LiteralValue()
        return {"type": [self.type, "null"] if nullable else self.type}


@dataclasses.dataclass(frozen=True)
class ScalarShape:
    """A string, number, integer or boolean read from the answer and converted to its type."""

    type: ParamType
    path: tuple[PathStep, ...] | None = None
    """Where the value comes from, relative to the current node (``None``: the node itself)."""

    @property
    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of the values read (missing values are ``null``)."""
        return {"type": [self.type, "null"]}


@dataclasses.dataclass(frozen=True)
class ArrayShape:
    """An array read from the answer, each element built by ``items`` (``None``: as is)."""

    path: tuple[PathStep, ...] | None = None
    """Where the array comes from; a ``[*]`` step maps the rest of the path over elements."""
    items: Shape | None = None
    type: ClassVar[ParamType] = "array"

    @property
    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of the arrays built (a missing one is ``null``)."""
        return {"type": ["array", "null"], "items": self.items.json_schema if self.items else {}}


@dataclasses.dataclass(frozen=True)
class ObjectShape:
    """An object built member by member, each read relative to the node at ``path``."""

    path: tuple[PathStep, ...] | None = None
    properties: tuple[tuple[str, Shape], ...] = ()
    type: ClassVar[ParamType] = "object"

    @property
    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of the objects built (one read at a path may be ``null``)."""
        return {
            "type": ["object", "null"] if self.path else "object",
            "properties": {name: child.json_schema for name, child in self.properties},
        }


Shape: TypeAlias = "ValueShape | ScalarShape | ArrayShape | ObjectShape"
"""How one value of a shaped result is built (recursively): one frozen dataclass per kind."""


def shape_parts(shape: Shape) -> tuple[Shape, ...]:
    """The shapes nested directly in ``shape``."""
    if isinstance(shape, ObjectShape):
        return tuple(child for _, child in shape.properties)
    if isinstance(shape, ArrayShape) and shape.items is not None:
        return (shape.items,)
    return ()


@dataclasses.dataclass(frozen=True)
class Output:
    """How the exposed result is built: passed through, shaped from JSON, or mocked."""

    kind: Literal["passthrough", "shaped", "mock", "orchestrated"]
    schema: dict[str, Any] | None
    """JSON Schema of the result where known (``None``: anything)."""
    shape: Shape | None = None

    @property
    def builds(self) -> bool:
        """True when generated code builds the result with a shape function."""
        return self.kind in ("shaped", "orchestrated")

    @property
    def wrapped(self) -> bool:
        """True when MCP structured content must wrap the result as ``{"result": ...}``
        (MCP structured content is always an object)."""
        shape = self.shape
        return shape is not None and not (shape.type == "object" and shape.path is None)

    @property
    def mcp_schema(self) -> dict[str, Any] | None:
        """The MCP ``outputSchema``: the result's schema, wrapped where the result is."""
        if self.schema is None or not self.wrapped:
            return self.schema
        return {"type": "object", "properties": {"result": self.schema}, "required": ["result"]}


@dataclasses.dataclass(frozen=True)
class Invocation:
    """An exposed operation's call of a consumed operation, with every argument sourced."""

    api: ConsumedApi
    operation: ConsumedOperation
    arguments: tuple[tuple[ConsumedParam, ValueSource], ...]
    """Sources of the non-body parameters that are sent."""
    body: RequestBody | None
    """A body the spec defines (``with`` value or the consumed operation's ``body``)."""
    forward_body: bool
    """Send the caller's JSON body (REST request body, MCP ``body`` argument)."""
    forward_query: bool
    """Pass undeclared query parameters through (REST) / accept a ``query`` argument (MCP)."""


@dataclasses.dataclass(frozen=True)
class CallStep:
    """A ``call`` step: one consumed operation called, its JSON answer kept as ``name``."""

    name: str
    invocation: Invocation
    kind: ClassVar[str] = "call"

    @property
    def sources(self) -> tuple[ValueSource, ...]:
        """Values the step evaluates itself (its call's arguments are the invocation's)."""
        return ()


@dataclasses.dataclass(frozen=True)
class LookupStep:
    """A ``lookup`` step: entries of an earlier step's array whose ``match`` field equals
    the looked-up value(s), reduced to ``fields``."""

    name: str
    index: str
    """The name of the earlier step whose answer is the table."""
    match: str
    value: ContextRef
    fields: tuple[str, ...]
    kind: ClassVar[str] = "lookup"

    @property
    def sources(self) -> tuple[ValueSource, ...]:
        """The looked-up value."""
        return (ContextValue(self.value),)


@dataclasses.dataclass(frozen=True)
class ScriptStep:
    """A ``script`` step: Python, run in a subprocess of the generated server, or JavaScript,
    run in a V8 isolate inside it."""

    name: str
    language: str
    """``python`` or ``javascript``."""
    files: tuple[tuple[str, str], ...]
    """Path (relative to the spec's directory, POSIX) and source of each file run,
    dependencies first, the script last; embedded in the package data ``scripts.json``."""
    timeout: float
    """Seconds before the subprocess is killed."""
    enabled: bool | None
    """``management.scripting.enabled``; ``None`` reads ``NAFTIKO_SCRIPTING`` at run time."""
    inputs: tuple[tuple[str, ValueSource], ...]
    """The exposed inputs, by name: the ``context`` entries the step answers may shadow."""
    with_values: tuple[tuple[str, ValueSource], ...] = ()
    """The ``with`` values, by name: they shadow inputs and step answers."""
    kind: ClassVar[str] = "script"

    @property
    def names(self) -> tuple[str, ...]:
        """The embedded files run, in order."""
        return tuple(name for name, _ in self.files)

    @property
    def sources(self) -> tuple[ValueSource, ...]:
        """The inputs and ``with`` values the script is given."""
        return tuple(source for _, source in self.inputs + self.with_values)


Step: TypeAlias = "CallStep | LookupStep | ScriptStep"
"""One step of an orchestrated operation; its JSON answer is kept in ``context[name]``.
``kind`` (``call``, ``lookup``, ``script``) names the class for templates."""


def calls(invocation: Invocation | None, steps: tuple[Step, ...]) -> list[Invocation]:
    """The consumed operations a unit calls: its own call, or those of its call steps."""
    own = [invocation] if invocation is not None else []
    return own + [step.invocation for step in steps if isinstance(step, CallStep)]
