"""Consumed APIs: their operations, parameters, paths, contracts and credentials."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from .located import Located
from .values import BodyTemplate, Parameter, ValueSource


@dataclasses.dataclass(frozen=True)
class ConsumedParam(Parameter):
    """A parameter of a consumed operation, under its wire name and its Python name."""

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
    errors: tuple[tuple[str, str], ...] = ()
    """The error answers the upstream declares: (status code or ``4XX``, description)."""


@dataclasses.dataclass(frozen=True)
class AnswerSchema:
    """A schema file named by ``outputSchema``, read and compiled at build time and embedded
    in the package (``answer_schemas.json``)."""

    file: str
    """Its path relative to the spec's folder: its key in ``answer_schemas.json``."""
    entry: str
    """Its entry there, as JSON text (an Avro schema; a protobuf descriptor set)."""


@dataclasses.dataclass(frozen=True)
class ConsumedOperation:
    """One upstream HTTP operation: one method of the generated upstream client;
    ``path_params``, ``query_params``, ``header_params`` and ``cookie_params``: its declared
    parameters by location."""

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
    output_schema: str | None = None
    """What ``outputSchema`` gives the answer's decoder: a CSS selector (``html``), a
    heading prefix (``markdown``), the embedded schema's file (``avro``, ``protobuf``)."""
    answer_schema: AnswerSchema | None = None
    """The schema file ``outputSchema`` names (``avro``, ``protobuf``), read at build time."""

    path_params = Located[ConsumedParam]("params", "path")
    query_params = Located[ConsumedParam]("params", "query")
    header_params = Located[ConsumedParam]("params", "header")
    cookie_params = Located[ConsumedParam]("params", "cookie")

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
