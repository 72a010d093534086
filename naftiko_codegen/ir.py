"""The intermediate representation: what templates read, with every reference resolved.

Every class is a frozen dataclass; the lowering phase (:mod:`naftiko_codegen.lower`)
builds them from a validated document and applies every default, so templates never
look at raw YAML and never decide anything the spec left implicit.
"""

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
    required_declared: bool = False
    """The spec wrote ``required: true`` (``required`` itself defaults to true, DESIGN §3.1)."""
    default_template: str = ""
    """A ``value:`` template over exposed inputs, compiled for each operation that calls."""
    schema: dict[str, Any] | None = None
    """The JSON Schema of the value, from the upstream's OpenAPI document (``None``: the
    spec's ``type`` is all that is known)."""


@dataclasses.dataclass(frozen=True)
class PathSegment:
    """Literal path text, or a placeholder filled by the parameter with Python name ``param``."""

    text: str = ""
    param: str = ""


@dataclasses.dataclass(frozen=True)
class OperationContract:
    """What the upstream's OpenAPI document says about a consumed operation."""

    source: str
    """The OpenAPI file and operation (``flyte.json: POST /api/v1/executions``)."""
    request: dict[str, Any] | None
    """JSON Schema of the JSON request body, as inputs see it (``readOnly`` left out)."""
    request_required: bool
    request_description: str
    response: dict[str, Any] | None
    """JSON Schema of the success answer, tolerant of what real servers send."""


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
    raw_format: str = "json"
    """``outputRawFormat``: how the answer is decoded before output shaping."""
    resource: str = ""
    """The name of the consumed resource the operation belongs to (a label)."""
    body_template: BodyTemplate | None = None
    """The declared ``body``, compiled against the inputs of each unit that calls it."""
    max_bytes: int | None = None
    """The largest answer read (``maxBinarySize``); ``None``: the package's default."""
    contract: OperationContract | None = None
    """The operation of the upstream's OpenAPI document it was matched to (``--openapi``)."""

    @property
    def sends_body(self) -> bool:
        """True when a request body can be sent (declared body, or a method that has one)."""
        return (
            self.body_param is not None
            or self.body_template is not None
            or self.method in ("POST", "PUT", "PATCH", "DELETE")
        )

    @property
    def body_required(self) -> bool:
        """True when a forwarded request body must be present (the declared ``in: body``
        parameter or the OpenAPI request body says so)."""
        declared = self.body_param is not None and self.body_param.required
        return declared or (self.contract is not None and self.contract.request_required)

    @property
    def multipart(self) -> bool:
        """True when the declared body is ``multipartForm`` (sent with httpx ``files=``)."""
        return self.body_template is not None and self.body_template.kind == "multipartForm"

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

    type: Literal["bearer", "apikey", "basic", "digest", "oauth2"]
    token: ValueSource | None = None
    key: str = ""
    placement: Literal["header", "query"] = "header"
    username: ValueSource | None = None
    password: ValueSource | None = None
    oauth2: OAuth2 | None = None
    """For ``oauth2`` (exposed adapters only): the resource server's settings."""


@dataclasses.dataclass(frozen=True)
class OAuth2:
    """An OAuth 2.1 resource server: JWT access tokens checked against the issuer's JWKS."""

    issuer: str
    """``authorizationServerUri``: the expected ``iss``; metadata comes from its
    ``/.well-known/oauth-authorization-server``."""
    resource: str
    """This server's canonical URI (RFC 8707), served as protected resource metadata."""
    audience: str
    """The expected ``aud``; empty: the resource URI configured at run time."""
    scopes: tuple[str, ...]
    """Scopes every token must carry."""


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


@dataclasses.dataclass(frozen=True)
class BaseUriPlaceholder:
    """A placeholder of a templated ``baseUri`` (``{region}``), filled at start-up from its
    own setting, or from the bound variable of that name."""

    text: str
    """As written in the base URI (``{region}``, ``{{env.REGION}}``)."""
    name: str
    env: str = ""
    """The environment variable that sets it (when no bound variable does)."""
    variable: str = ""
    """The bound variable that sets it."""


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
    """True when the spec's base URI is empty, so it must be configured."""
    description: str
    static_headers: tuple[tuple[str, ValueSource], ...]
    """The ``headers`` map, sent with every request."""
    authentication: Authentication | None
    operations: tuple[ConsumedOperation, ...]
    common_headers: tuple[tuple[str, ValueSource], ...] = ()
    """API-level header parameters with a fixed value (also sent by ``forward``)."""
    base_uri_placeholders: tuple[BaseUriPlaceholder, ...] = ()
    """The placeholders of a templated base URI, each configured at start-up."""

    @property
    def multipart(self) -> bool:
        """True when some operation sends a ``multipart/form-data`` body."""
        return any(operation.multipart for operation in self.operations)


@dataclasses.dataclass(frozen=True)
class ExposedInput:
    """An input of an exposed REST operation or MCP tool."""

    name: str
    ident: str
    location: ParamLocation
    type: ParamType
    required: bool
    description: str
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
        if self.type == "array":
            wire_text = self.location in ("query", "header", "cookie", "path")
            schema["items"] = {"type": "string"} if wire_text else {}
        if self.description:
            schema["description"] = self.description
        return schema


@dataclasses.dataclass(frozen=True)
class Shape:
    """How one value of a shaped result is built (recursively)."""

    type: ParamType
    path: tuple[PathStep, ...] | None = None
    """Where the value comes from, relative to the current node (``None``: the node itself)."""
    value: ValueSource | None = None
    """A constant or template that takes precedence over ``path`` (mock outputs)."""
    properties: tuple[tuple[str, Shape], ...] = ()
    items: Shape | None = None

    @property
    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of the values this shape produces (missing values are ``null``)."""
        if self.type == "object":
            return {
                "type": ["object", "null"] if self.path else "object",
                "properties": {name: child.json_schema for name, child in self.properties},
            }
        if self.type == "array":
            items = self.items.json_schema if self.items else {}
            return {"type": ["array", "null"], "items": items}
        if self.value is not None and self.value != ValueSource("literal"):
            return {"type": self.type}
        return {"type": [self.type, "null"]}


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
class LookupStep:
    """A ``lookup`` step: entries of an earlier step's array whose ``match`` field equals
    the looked-up value(s), reduced to ``fields``."""

    index: str
    """The name of the earlier step whose answer is the table."""
    match: str
    value: ContextRef
    fields: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ScriptStep:
    """A ``script`` step (Python), run in a subprocess of the generated server."""

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

    @property
    def names(self) -> tuple[str, ...]:
        """The embedded files run, in order."""
        return tuple(name for name, _ in self.files)


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of an orchestrated operation; its JSON answer is kept as ``name``.

    Exactly one of ``invocation`` (``call``), ``lookup`` and ``script`` is set."""

    name: str
    invocation: Invocation | None = None
    lookup: LookupStep | None = None
    script: ScriptStep | None = None

    @property
    def sources(self) -> tuple[ValueSource, ...]:
        """Values a lookup or script step evaluates (call arguments excluded)."""
        if self.lookup is not None:
            return (ValueSource("context", ref=self.lookup.value),)
        if self.script is not None:
            entries = self.script.inputs + self.script.with_values
            return tuple(source for _, source in entries)
        return ()


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
    invocation: Invocation | None
    """The upstream call; ``None`` for a mock that answers from its outputs alone."""
    output: Output
    steps: tuple[Step, ...] = ()
    """Orchestrated calls, in order (``invocation`` is then ``None``)."""

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

    @property
    def body_inputs(self) -> tuple[ExposedInput, ...]:
        """Inputs read from the JSON request body."""
        return tuple(i for i in self.inputs if i.location == "body")


@dataclasses.dataclass(frozen=True)
class RestForward:
    """A path prefix proxied to a consumed API (``forward``)."""

    path: str
    route: str
    """Starlette route with a ``{rest:path}`` tail."""
    ident: str
    api: ConsumedApi
    trusted_headers: tuple[str, ...]
    description: str


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
    forwards: tuple[RestForward, ...] = ()
    authentication: Authentication | None = None
    """Credentials callers must present (checked in constant time)."""

    def needs(self, location: str) -> bool:
        """True when some operation reads an input from ``location`` (query, header, ...)."""
        return any(i.location == location for op in self.operations for i in op.inputs)

    @property
    def has_shapes(self) -> bool:
        """True when some operation builds a shaped result from upstream JSON."""
        return any(op.output.kind == "shaped" for op in self.operations)

    @property
    def forwards_body(self) -> bool:
        """True when some operation forwards the request body."""
        return any(op.invocation and op.invocation.forward_body for op in self.operations)

    @property
    def checks_inputs(self) -> bool:
        """True when some operation calls an operation typed from an OpenAPI document (its
        body and parameters are then checked against the adapter's OpenAPI document)."""
        return any(
            op.invocation is not None and op.invocation.operation.contract is not None
            for op in self.operations
        )


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
    invocation: Invocation | None
    """The upstream call; ``None`` for a mock that answers from its outputs alone."""
    output: Output
    steps: tuple[Step, ...] = ()
    """Orchestrated calls, in order (``invocation`` is then ``None``)."""


@dataclasses.dataclass(frozen=True)
class McpResource:
    """A resource (fixed URI) or resource template (URI with ``{param}`` placeholders)."""

    name: str
    ident: str
    title: str | None
    uri: str
    description: str
    mime_type: str | None
    inputs: tuple[ExposedInput, ...]
    """One per URI placeholder; empty for a fixed URI."""
    pattern: str
    """A regular expression matching the URI; placeholder ``i`` is group ``p<i>``."""
    invocation: Invocation
    output: Output

    @property
    def is_template(self) -> bool:
        """True for a resource template."""
        return bool(self.inputs)


@dataclasses.dataclass(frozen=True)
class McpFileResource:
    """A file read at build time (``location``), served with a fixed URI."""

    name: str
    title: str | None
    uri: str
    description: str
    size: int
    """The file's size in bytes."""
    contents: dict[str, str]
    """``mimeType`` and either ``text`` or ``blob`` (base64), as MCP sends them."""


@dataclasses.dataclass(frozen=True)
class PromptArgument:
    """An argument of an MCP prompt (always a string)."""

    name: str
    ident: str
    title: str | None
    description: str
    required: bool


@dataclasses.dataclass(frozen=True)
class McpPrompt:
    """A prompt template: messages whose text interpolates the arguments."""

    name: str
    ident: str
    title: str | None
    description: str
    arguments: tuple[PromptArgument, ...]
    messages: tuple[tuple[Literal["user", "assistant"], ValueSource], ...]


@dataclasses.dataclass(frozen=True)
class CacheHint:
    """How long (ms) MCP clients may keep list and read results, and who may share them."""

    ttl_ms: int
    scope: Literal["public", "private"]


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
    resources: tuple[McpResource, ...] = ()
    prompts: tuple[McpPrompt, ...] = ()
    authentication: Authentication | None = None
    """Credentials callers must present on Streamable HTTP (stdio is local and unchecked)."""
    files: tuple[McpFileResource, ...] = ()
    """Resources embedded from local files, in the package data file ``<module>_files.json``."""
    cache_hint: CacheHint | None = None
    """The freshness hint of list and read results (``ttlMs``, ``cacheScope``)."""

    @property
    def has_shapes(self) -> bool:
        """True when some tool builds a shaped result from upstream JSON."""
        return any(tool.output.kind == "shaped" for tool in self.tools)


@dataclasses.dataclass(frozen=True)
class ControlAdapter:
    """The management port: health checks and Prometheus metrics."""

    key: str
    module: str
    port: int
    health: bool
    metrics: bool
    info: bool
    """``/status``: the capability's name and adapters (never configuration values)."""
    authentication: Authentication | None = None
    """Credentials callers of the control port must present."""
    traces: int = 0
    """Size of the ``/traces`` ring buffer of request summaries (0: no ``/traces``)."""
    sampling: float = 1.0
    """Share of requests (without a sampled parent) whose summaries are kept."""
    propagation: Literal["w3c", "b3"] = "w3c"
    """Trace context header sent upstream: ``traceparent`` (W3C) or ``b3`` (single)."""


@dataclasses.dataclass(frozen=True)
class SkillAdapter:
    """A read-only skills catalog, served as JSON built at generation time."""

    namespace: str
    key: str
    module: str
    port: int
    description: str
    catalog: tuple[dict[str, Json], ...]
    """One entry per skill: its frontmatter and its tools (sources resolved)."""
    authentication: Authentication | None = None


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
    control: ControlAdapter | None = None
    skills: tuple[SkillAdapter, ...] = ()
    imports: tuple[tuple[str, str], ...] = ()
    """Files imported consumed APIs were read from: (path relative to the spec's directory,
    POSIX; SHA-256), sorted. Recorded in ``config.py`` so that editing one is drift."""
    language: str = "Naftiko 1.0.0-alpha2"
    """The language the spec is written in (the command line names it)."""

    @property
    def listeners(self) -> tuple[McpAdapter | ControlAdapter | SkillAdapter, ...]:
        """Non-REST servers with their own host and port settings (MCP, skills, control)."""
        return (*self.mcp_adapters, *self.skills, *((self.control,) if self.control else ()))

    @property
    def decoders(self) -> set[str]:
        """Non-JSON formats some shaped output decodes (``xml``, ``csv``, ``yaml``...)."""
        units: list[RestOperation | McpTool | McpResource] = [
            unit for adapter in self.rest_adapters for unit in adapter.operations
        ]
        units += [tool for adapter in self.mcp_adapters for tool in adapter.tools]
        units += [res for adapter in self.mcp_adapters for res in adapter.resources]
        return {
            unit.invocation.operation.raw_format
            for unit in units
            if unit.invocation is not None and unit.output.kind == "shaped"
        } - {"json"}

    @property
    def exposed_auth(self) -> bool:
        """True when some adapter checks its callers' credentials."""
        adapters: list[RestAdapter | McpAdapter | SkillAdapter | ControlAdapter] = [
            *self.rest_adapters,
            *self.mcp_adapters,
            *self.skills,
            *((self.control,) if self.control else ()),
        ]
        return any(adapter.authentication is not None for adapter in adapters)

    @property
    def oauth2_adapters(self) -> tuple[RestAdapter | McpAdapter | SkillAdapter, ...]:
        """Adapters that are OAuth 2.1 resource servers (their issuer and resource are
        configurable at run time; the package then depends on PyJWT)."""
        adapters: list[RestAdapter | McpAdapter | SkillAdapter] = [
            *self.rest_adapters,
            *self.mcp_adapters,
            *self.skills,
        ]
        return tuple(
            adapter
            for adapter in adapters
            if adapter.authentication is not None and adapter.authentication.oauth2 is not None
        )

    @property
    def metrics(self) -> bool:
        """True when the adapters record Prometheus metrics (a control port serves them)."""
        return self.control is not None and self.control.metrics

    @property
    def traces(self) -> bool:
        """True when the adapters keep trace summaries for the control port's ``/traces``."""
        return self.control is not None and self.control.traces > 0

    @property
    def forwarded_apis(self) -> tuple[str, ...]:
        """Namespaces some REST adapter forwards to (their clients get a ``forward`` method)."""
        return tuple(f.api.namespace for a in self.rest_adapters for f in a.forwards)

    @property
    def checks_rest_inputs(self) -> bool:
        """True when some REST adapter checks inputs against OpenAPI schemas."""
        return any(adapter.checks_inputs for adapter in self.rest_adapters)

    @property
    def has_shapes(self) -> bool:
        """True when some operation or tool builds a shaped result."""
        adapters: list[RestAdapter | McpAdapter] = [*self.rest_adapters, *self.mcp_adapters]
        return any(adapter.has_shapes for adapter in adapters)

    def rest_needs(self, location: str) -> bool:
        """True when some REST operation reads an input from ``location``."""
        return any(adapter.needs(location) for adapter in self.rest_adapters)
