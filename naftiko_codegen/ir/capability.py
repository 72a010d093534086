"""The capability: control and skill adapters, bound variables and the whole package."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Literal

from .consumes import Authentication, ConsumedApi, ConsumedOperation
from .mcp import McpAdapter, McpResource, McpTool
from .rest import RestAdapter, RestOperation
from .skills import Skill
from .units import ScriptStep


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
    catalog: tuple[Skill, ...]
    """The skills, in order: their frontmatter and their tools (sources resolved)."""
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
    apis: tuple[ConsumedApi, ...]
    rest_adapters: tuple[RestAdapter, ...]
    mcp_adapters: tuple[McpAdapter, ...]
    variables: tuple[BoundVariable, ...]
    label: str
    description: str
    spec_name: str
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

    def _decoded(self) -> list[ConsumedOperation]:
        """The consumed operations whose answers some shaped output decodes."""
        units: list[RestOperation | McpTool | McpResource] = [
            unit for adapter in self.rest_adapters for unit in adapter.operations
        ]
        units += [tool for adapter in self.mcp_adapters for tool in adapter.tools]
        units += [res for adapter in self.mcp_adapters for res in adapter.resources]
        return [
            unit.invocation.operation
            for unit in units
            if unit.invocation is not None and unit.output.kind == "shaped"
        ]

    @property
    def decoders(self) -> set[str]:
        """Non-JSON formats some shaped output decodes (``xml``, ``csv``, ``yaml``...)."""
        return {operation.raw_format for operation in self._decoded()} - {"json"}

    @property
    def script_languages(self) -> set[str]:
        """The languages of the package's script steps (``python``, ``javascript``)."""
        units: list[RestOperation | McpTool] = [
            unit for adapter in self.rest_adapters for unit in adapter.operations
        ]
        units += [tool for adapter in self.mcp_adapters for tool in adapter.tools]
        return {
            step.language for unit in units for step in unit.steps if isinstance(step, ScriptStep)
        }

    @property
    def answer_schemas(self) -> dict[str, Any]:
        """The schema files (``outputSchema``) of decoded answers, by their path relative to
        the spec's folder: the package's ``answer_schemas.json``."""
        return {
            operation.answer_schema.file: json.loads(operation.answer_schema.entry)
            for operation in self._decoded()
            if operation.answer_schema is not None
        }

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
    def credential_query_names(self) -> tuple[str, ...]:
        """Query parameters that carry credentials (an API key in the query, consumed or
        exposed): their values are masked in every log line."""
        auths = [api.authentication for api in self.apis]
        auths += [unit.authentication for unit in self.rest_adapters]
        auths += [unit.authentication for unit in self.mcp_adapters]
        auths += [unit.authentication for unit in self.skills]
        return tuple(
            sorted(
                {
                    auth.key
                    for auth in auths
                    if auth is not None and auth.type == "apikey" and auth.placement == "query"
                }
            )
        )

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
