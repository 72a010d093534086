"""REST adapters: routes, forwards and the adapter."""

from __future__ import annotations

import dataclasses

from .consumes import Authentication, ConsumedApi
from .located import Located
from .units import ExposedInput, Invocation, Output, Step


@dataclasses.dataclass(frozen=True)
class RestOperation:
    """One route of the generated FastAPI app; ``path_inputs``, ``query_inputs``,
    ``header_inputs``, ``cookie_inputs`` and ``body_inputs``: its inputs by location."""

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

    path_inputs = Located[ExposedInput]("inputs", "path")
    query_inputs = Located[ExposedInput]("inputs", "query")
    header_inputs = Located[ExposedInput]("inputs", "header")
    cookie_inputs = Located[ExposedInput]("inputs", "cookie")
    body_inputs = Located[ExposedInput]("inputs", "body")


@dataclasses.dataclass(frozen=True)
class RestForward:
    """A path prefix proxied to a consumed API (``forward``)."""

    path: str
    route: str
    """Starlette route with a ``{rest:path}`` tail."""
    ident: str
    api: ConsumedApi
    description: str
    trusted_headers: tuple[str, ...]


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
