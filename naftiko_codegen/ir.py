"""The intermediate representation: what templates read, with every reference resolved.

Every class is a frozen dataclass; the lowering phase (:mod:`naftiko_codegen.lower`)
builds them from a validated document and applies every default, so templates never
look at raw YAML and never decide anything the spec left implicit.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

ParamLocation = Literal["path", "query", "header", "cookie", "body"]
ParamType = Literal["string", "number", "integer", "boolean", "array", "object"]


@dataclasses.dataclass(frozen=True)
class TemplatePart:
    """One piece of a compiled Mustache string: literal text, an input, or a bound variable."""

    kind: Literal["text", "input", "secret"]
    value: str
    """The text, the exposed input's Python identifier, or the bound variable's name."""


@dataclasses.dataclass(frozen=True)
class ValueSource:
    """Where the value of one consumed parameter comes from in one exposed operation."""

    kind: Literal["input", "literal", "template"]
    input: str = ""
    """Python identifier of the exposed input (kind ``input``)."""
    literal: Any = None
    """A constant JSON value (kind ``literal``)."""
    parts: tuple[TemplatePart, ...] = ()
    """The compiled template (kind ``template``)."""


@dataclasses.dataclass(frozen=True)
class ConsumedParam:
    """A parameter of a consumed operation, under its wire name and its Python name."""

    name: str
    ident: str
    location: ParamLocation
    type: ParamType
    required: bool
    description: str
    default: ValueSource | None = None
    """A value the consumed spec itself fixes (``value:``); applies when nothing feeds it."""


@dataclasses.dataclass(frozen=True)
class PathSegment:
    """Literal path text, or a placeholder filled by the parameter with Python name ``param``."""

    text: str = ""
    param: str = ""


@dataclasses.dataclass(frozen=True)
class ConsumedOperation:
    """One upstream HTTP operation: one method of the generated upstream client."""

    namespace: str
    name: str
    ident: str
    method: str
    path: str
    segments: tuple[PathSegment, ...]
    params: tuple[ConsumedParam, ...]
    description: str
    static_query: tuple[tuple[str, str], ...]
    """Query pairs written literally after ``?`` in the consumed path."""
    body_param: ConsumedParam | None
    """The declared ``in: body`` parameter, if any."""

    @property
    def path_params(self) -> tuple[ConsumedParam, ...]:
        """Parameters substituted into the path."""
        return tuple(p for p in self.params if p.location == "path")

    @property
    def query_params(self) -> tuple[ConsumedParam, ...]:
        """Declared query-string parameters."""
        return tuple(p for p in self.params if p.location == "query")

    @property
    def header_params(self) -> tuple[ConsumedParam, ...]:
        """Declared header parameters."""
        return tuple(p for p in self.params if p.location == "header")

    @property
    def cookie_params(self) -> tuple[ConsumedParam, ...]:
        """Declared cookie parameters."""
        return tuple(p for p in self.params if p.location == "cookie")


@dataclasses.dataclass(frozen=True)
class Authentication:
    """Credentials the generated client attaches to every upstream request."""

    type: Literal["bearer", "apikey", "basic", "digest"]
    token: ValueSource | None = None
    key: str = ""
    placement: Literal["header", "query"] = "header"
    username: ValueSource | None = None
    password: ValueSource | None = None


@dataclasses.dataclass(frozen=True)
class ConsumedApi:
    """One consumed HTTP API: one client class in ``upstream.py``."""

    namespace: str
    ident: str
    class_name: str
    base_uri: str
    base_uri_env: str
    """Environment variable that overrides ``base_uri``."""
    base_uri_required: bool
    """True when the spec's base URI is empty or templated, so it must be configured."""
    description: str
    static_headers: tuple[tuple[str, ValueSource], ...]
    authentication: Authentication | None
    operations: tuple[ConsumedOperation, ...]


@dataclasses.dataclass(frozen=True)
class ExposedInput:
    """An input of an exposed REST operation or MCP tool."""

    name: str
    ident: str
    location: ParamLocation
    type: ParamType
    required: bool
    description: str

    @property
    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of this input's value."""
        schema: dict[str, Any] = {"type": self.type}
        if self.description:
            schema["description"] = self.description
        return schema


@dataclasses.dataclass(frozen=True)
class Output:
    """How the exposed result is built from the upstream response."""

    kind: Literal["passthrough"]
    schema: dict[str, Any] | None
    """JSON Schema of the result where known (``None``: anything)."""


@dataclasses.dataclass(frozen=True)
class Invocation:
    """An exposed operation's call of a consumed operation, with every argument sourced."""

    api: ConsumedApi
    operation: ConsumedOperation
    arguments: tuple[tuple[ConsumedParam, ValueSource], ...]
    """Sources of the non-body parameters that are sent."""
    body: ValueSource | None
    """A literal or template the spec sends as the JSON body."""
    forward_body: bool
    """Send the caller's JSON body (REST request body, MCP ``body`` argument)."""
    forward_query: bool
    """Pass undeclared query parameters through (REST) / accept a ``query`` argument (MCP)."""


@dataclasses.dataclass(frozen=True)
class RestOperation:
    """One route of the generated FastAPI app."""

    name: str
    ident: str
    method: str
    path: str
    """The path as the spec writes it (used in the OpenAPI document)."""
    route: str
    """The path with sanitised placeholder names (used for routing)."""
    summary: str
    description: str
    inputs: tuple[ExposedInput, ...]
    invocation: Invocation
    output: Output

    @property
    def path_inputs(self) -> tuple[ExposedInput, ...]:
        """Inputs taken from the route path."""
        return tuple(i for i in self.inputs if i.location == "path")

    @property
    def query_inputs(self) -> tuple[ExposedInput, ...]:
        """Inputs taken from the query string."""
        return tuple(i for i in self.inputs if i.location == "query")

    @property
    def header_inputs(self) -> tuple[ExposedInput, ...]:
        """Inputs taken from request headers."""
        return tuple(i for i in self.inputs if i.location == "header")

    @property
    def cookie_inputs(self) -> tuple[ExposedInput, ...]:
        """Inputs taken from cookies."""
        return tuple(i for i in self.inputs if i.location == "cookie")


@dataclasses.dataclass(frozen=True)
class RestAdapter:
    """A REST adapter: one FastAPI application module."""

    namespace: str
    module: str
    key: str
    """Settings and environment-variable stem (``rest``; ``rest_<namespace>`` when several)."""
    port: int
    description: str
    operations: tuple[RestOperation, ...]

    def needs(self, location: str) -> bool:
        """True when some operation reads an input from ``location`` (query, header, cookie)."""
        return any(i.location == location for op in self.operations for i in op.inputs)

    @property
    def forwards_body(self) -> bool:
        """True when some operation forwards the request body."""
        return any(op.invocation.forward_body for op in self.operations)

    @property
    def uses_body_template(self) -> bool:
        """True when some operation sends a body the spec defines."""
        return any(op.invocation.body is not None for op in self.operations)


@dataclasses.dataclass(frozen=True)
class ToolAnnotations:
    """MCP tool annotations, every hint resolved."""

    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool


@dataclasses.dataclass(frozen=True)
class McpTool:
    """One tool of the generated MCP server."""

    name: str
    ident: str
    title: str | None
    description: str
    inputs: tuple[ExposedInput, ...]
    input_schema: dict[str, Any]
    annotations: ToolAnnotations
    invocation: Invocation
    output: Output


@dataclasses.dataclass(frozen=True)
class McpAdapter:
    """An MCP adapter: one MCP server module."""

    namespace: str
    module: str
    key: str
    """Settings and environment-variable stem (``mcp``; ``mcp_<namespace>`` when several)."""
    port: int | None
    transport: Literal["http", "stdio"]
    description: str
    tools: tuple[McpTool, ...]

    @property
    def uses_body_template(self) -> bool:
        """True when some tool sends a body the spec defines."""
        return any(tool.invocation.body is not None for tool in self.tools)


@dataclasses.dataclass(frozen=True)
class BoundVariable:
    """A variable the generated package reads at start-up."""

    name: str
    source_key: str
    """The key in the provider: environment variable name, or key in the bound file."""
    location: str | None
    """``None`` for the environment, else the ``file://`` path of a JSON or YAML file."""
    referenced: bool
    """Referenced by the spec: required at start-up. Unreferenced ones are optional."""


@dataclasses.dataclass(frozen=True)
class Capability:
    """The whole compiled capability: the root of the IR."""

    package: str
    distribution: str
    env_prefix: str
    label: str
    description: str
    spec_name: str
    apis: tuple[ConsumedApi, ...]
    rest_adapters: tuple[RestAdapter, ...]
    mcp_adapters: tuple[McpAdapter, ...]
    variables: tuple[BoundVariable, ...]

    def rest_needs(self, location: str) -> bool:
        """True when some REST operation reads an input from ``location``."""
        return any(adapter.needs(location) for adapter in self.rest_adapters)
