"""The public surface of a generated package, read from the lowered IR (nothing is
rendered or formatted): what its clients, agents and operators depend on.

* REST routes: method, path, parameters (where, type, required), output schema;
* MCP tools: input schema (arguments, types, required), annotations, output schema;
  resources (URI, MIME type, template parameters) and prompts (arguments);
* adapters: port, transport, whether callers must authenticate;
* environment settings: every variable the package reads, whether it is required, its
  default.

Every element carries the place in the spec that declares it (``file:line:col``). The IR
keeps no positions, so elements are found again in the loaded document by what names them
(an adapter's namespace, an operation's or tool's name, a resource's URI...); where that
fails, the enclosing element's position is used.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import ir
from .diagnostics import Path
from .loader import Document

_DERIVED_TIMEOUTS = (
    ("CONNECT_TIMEOUT", "5.0"),
    ("READ_TIMEOUT", "30.0"),
    ("TOTAL_TIMEOUT", "60.0"),
    ("MAX_RESPONSE_BYTES", str(10 * 1024 * 1024)),
    ("LOG_LEVEL", "INFO"),
)
"""Settings every package reads, with their defaults (``config.py``)."""


@dataclasses.dataclass(frozen=True)
class Declared:
    """Something a client depends on, with the place in the spec that declares it."""

    where: str
    """``file:line:col``."""


@dataclasses.dataclass(frozen=True)
class Param(Declared):
    """A REST parameter: where it is read, its type, whether it is required."""

    location: str
    name: str
    schema: dict[str, Any]
    required: bool


@dataclasses.dataclass(frozen=True)
class Exposed(Declared):
    """What one adapter serves (route, tool, resource, prompt): ``adapter`` names it."""

    adapter: str


@dataclasses.dataclass(frozen=True)
class Route(Exposed):
    """One REST route."""

    method: str
    path: str
    target: str
    """The upstream operation it calls (``namespace.operation``; empty for a mock)."""
    params: tuple[Param, ...]
    description: str
    output: dict[str, Any] | None

    @property
    def shape(self) -> tuple[str, str]:
        """Routes of an adapter match by method and path shape (placeholder names aside)."""
        return (self.method, re.sub(r"\{[^{}]*\}", "{}", self.path))

    @property
    def label(self) -> str:
        """How messages name the route."""
        return f"{self.method} {self.path}"


@dataclasses.dataclass(frozen=True)
class Tool(Exposed):
    """One MCP tool."""

    name: str
    title: str | None
    description: str
    target: str
    input_schema: dict[str, Any]
    arguments_where: dict[str, str]
    """Where each declared argument is written (others: the tool's own position)."""
    output: dict[str, Any] | None
    annotations: dict[str, bool]


@dataclasses.dataclass(frozen=True)
class Resource(Exposed):
    """One MCP resource or resource template (fixed, read through a call, or a file)."""

    uri: str
    name: str
    description: str
    mime_type: str | None
    parameters: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Prompt(Exposed):
    """One MCP prompt and its arguments (always strings)."""

    name: str
    title: str | None
    arguments: dict[str, bool]
    """Argument name → required."""
    argument_descriptions: dict[str, str]
    description: str


@dataclasses.dataclass(frozen=True)
class Adapter(Declared):
    """A server the package runs: how clients reach it."""

    kind: str
    namespace: str
    port: int | None
    transport: str
    authentication: str | None
    """The scheme callers must present (``None``: open)."""


@dataclasses.dataclass(frozen=True)
class Setting(Declared):
    """An environment variable the package reads at start-up."""

    name: str
    required: bool
    default: str | None
    description: str


@dataclasses.dataclass(frozen=True)
class Surface(Declared):
    """Everything :mod:`naftiko_codegen.apidiff` compares (``where``: the spec's ``info``)."""

    package: str
    adapters: tuple[Adapter, ...]
    routes: tuple[Route, ...]
    tools: tuple[Tool, ...]
    resources: tuple[Resource, ...]
    prompts: tuple[Prompt, ...]
    settings: tuple[Setting, ...]


def extract(capability: ir.Capability, document: Document) -> Surface:
    """The surface of ``capability``, located in ``document`` (the spec it came from)."""
    finder = _Finder(document)
    routes: list[Route] = []
    tools: list[Tool] = []
    resources: list[Resource] = []
    prompts: list[Prompt] = []
    for rest in capability.rest_adapters:
        base = finder.adapter(rest.namespace)
        routes.extend(_route(rest.namespace, op, finder, base) for op in rest.operations)
        routes.extend(_forward(rest.namespace, forward, finder, base) for forward in rest.forwards)
    for mcp in capability.mcp_adapters:
        base = finder.adapter(mcp.namespace)
        tools.extend(_tool(mcp.namespace, tool, finder, base) for tool in mcp.tools)
        listed: list[ir.McpResource | ir.McpFileResource] = [*mcp.resources, *mcp.files]
        resources.extend(_resource(mcp.namespace, r, finder, base) for r in listed)
        prompts.extend(_prompt(mcp.namespace, p, finder, base) for p in mcp.prompts)
    return Surface(
        package=capability.package,
        where=finder.at(("info",)),
        adapters=_adapters(capability, finder),
        routes=tuple(routes),
        tools=tuple(tools),
        resources=tuple(resources),
        prompts=tuple(prompts),
        settings=tuple(_settings(capability, finder)),
    )


def _adapters(capability: ir.Capability, finder: _Finder) -> tuple[Adapter, ...]:
    """Every server of the package: how a client reaches it and what it must present."""
    servers: list[tuple[str, ir.RestAdapter | ir.McpAdapter | ir.SkillAdapter]] = [
        *(("rest", adapter) for adapter in capability.rest_adapters),
        *(("mcp", adapter) for adapter in capability.mcp_adapters),
        *(("skill", adapter) for adapter in capability.skills),
    ]
    adapters = [
        Adapter(
            finder.at(finder.adapter(server.namespace)),
            kind,
            server.namespace,
            server.port,
            server.transport if isinstance(server, ir.McpAdapter) else "http",
            _auth(server.authentication),
        )
        for kind, server in servers
    ]
    control = capability.control
    if control is not None:
        where = finder.at(finder.control())
        adapters.append(
            Adapter(
                where, "control", "control", control.port, "http", _auth(control.authentication)
            )
        )
    return tuple(adapters)


def _auth(authentication: ir.Authentication | None) -> str | None:
    return authentication.type if authentication is not None else None


def _target(invocation: ir.Invocation | None, steps: Sequence[ir.Step] = ()) -> str:
    if invocation is not None:
        return f"{invocation.api.namespace}.{invocation.operation.name}"
    calls = ir.calls(None, tuple(steps))
    return ",".join(f"{c.api.namespace}.{c.operation.name}" for c in calls)


def _route(namespace: str, op: ir.RestOperation, finder: _Finder, base: Path) -> Route:
    where = finder.operation(base, op.name)
    params = tuple(
        Param(
            finder.at(finder.named(where, "inputParameters", item.name) or where),
            item.location,
            item.name,
            item.json_schema,
            item.required,
        )
        for item in op.inputs
    )
    return Route(
        finder.at(where),
        namespace,
        op.method,
        op.path,
        _target(op.invocation, op.steps),
        params,
        op.description or op.summary,
        op.output.schema,
    )


def _forward(namespace: str, forward: ir.RestForward, finder: _Finder, base: Path) -> Route:
    return Route(
        finder.entry(base, "resources", forward.path, field="path"),
        namespace,
        "*",
        forward.path,
        f"{forward.api.namespace}.*",
        (),
        forward.description,
        None,
    )


def _tool(namespace: str, tool: ir.McpTool, finder: _Finder, base: Path) -> Tool:
    where = finder.named(base, "tools", tool.name) or base
    arguments = {
        name: finder.at(found)
        for name in tool.input_schema.get("properties", {})
        if (found := finder.named(where, "inputParameters", name)) is not None
    }
    annotations = dataclasses.asdict(tool.annotations)
    return Tool(
        finder.at(where),
        namespace,
        tool.name,
        tool.title,
        tool.description,
        _target(tool.invocation, tool.steps),
        tool.input_schema,
        arguments,
        tool.output.mcp_schema,
        annotations,
    )


def _resource(
    namespace: str, resource: ir.McpResource | ir.McpFileResource, finder: _Finder, base: Path
) -> Resource:
    parameters: tuple[str, ...] = ()
    if isinstance(resource, ir.McpFileResource):
        mime_type = resource.contents.get("mimeType")
    else:
        mime_type, parameters = resource.mime_type, tuple(item.name for item in resource.inputs)
    return Resource(
        finder.entry(base, "resources", resource.name),
        namespace,
        resource.uri,
        resource.name,
        resource.description,
        mime_type,
        parameters,
    )


def _prompt(namespace: str, prompt: ir.McpPrompt, finder: _Finder, base: Path) -> Prompt:
    return Prompt(
        finder.entry(base, "prompts", prompt.name),
        namespace,
        prompt.name,
        prompt.title,
        {a.name: a.required for a in prompt.arguments},
        {a.name: a.description for a in prompt.arguments},
        prompt.description,
    )


def _settings(capability: ir.Capability, finder: _Finder) -> list[Setting]:
    """The variables ``config.py`` reads (same names, same defaults, same requirements)."""
    prefix = capability.env_prefix + "_"
    settings: list[Setting] = []
    for index, api in enumerate(capability.apis):
        where = finder.named(("capability",), "consumes", api.namespace, field="namespace")
        where = where or finder.at_index(("capability", "consumes"), index)
        templated = bool(api.base_uri_placeholders)
        settings.append(
            Setting(
                finder.at(where + ("baseUri",)),
                api.base_uri_env,
                api.base_uri_required,
                None if api.base_uri_required or templated else api.base_uri,
                f"base URL of the consumed API `{api.namespace}`",
            )
        )
        for placeholder in api.base_uri_placeholders:
            if placeholder.env:
                settings.append(
                    Setting(
                        finder.at(where + ("baseUri",)),
                        placeholder.env,
                        True,
                        None,
                        f"fills `{placeholder.text}` in the base URL of `{api.namespace}` "
                        f"(unless {api.base_uri_env} is set)",
                    )
                )
    servers: list[tuple[str, str, int | None]] = [
        (a.key, a.namespace, a.port) for a in capability.rest_adapters
    ]
    servers += [(a.key, a.namespace, a.port) for a in capability.mcp_adapters]
    servers += [(a.key, a.namespace, a.port) for a in capability.skills]
    if capability.control is not None:
        servers.append((capability.control.key, "control", capability.control.port))
    for key, namespace, port in servers:
        where = finder.adapter(namespace) if namespace != "control" else finder.control()
        for suffix, default in (("HOST", "127.0.0.1"), ("PORT", str(port or 0))):
            settings.append(
                Setting(
                    finder.at(where + (("port",) if suffix == "PORT" else ())),
                    f"{prefix}{key.upper()}_{suffix}",
                    False,
                    default,
                    f"{suffix.lower()} of the adapter `{namespace}`",
                )
            )
    for adapter in capability.oauth2_adapters:
        oauth2 = adapter.authentication.oauth2 if adapter.authentication else None
        assert oauth2 is not None
        where = finder.adapter(adapter.namespace) + ("authentication",)
        for field, default in (("ISSUER", oauth2.issuer), ("RESOURCE", oauth2.resource)):
            settings.append(
                Setting(
                    finder.at(where),
                    f"{prefix}{adapter.key.upper()}_OAUTH2_{field}",
                    not default,
                    default,
                    f"OAuth 2 {field.lower()} of `{adapter.namespace}`",
                )
            )
    for name, default in _DERIVED_TIMEOUTS:
        settings.append(Setting(finder.at(()), prefix + name, False, default, name.lower()))
    for variable in capability.variables:
        if variable.location is not None:
            continue  # read from a file the spec names, not from the environment
        settings.append(
            Setting(
                finder.at(finder.bound(variable.name)),
                variable.source_key,
                variable.referenced,
                None,
                f"bound variable `{variable.name}`",
            )
        )
    return settings


class _Finder:
    """Finds the document path of what the IR names (alpha2 lists of named entries)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.data: Mapping[str, Any] = document.data

    def at(self, path: Path) -> str:
        """``file:line:col`` of ``path`` (or of its nearest located ancestor)."""
        line, column = self.document.locate(path)
        return f"{self.document.file}:{line}:{column}"

    def value(self, path: Path) -> Any:
        node: Any = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def named(self, base: Path, collection: str, name: str, *, field: str = "name") -> Path | None:
        """The entry of ``base.collection`` whose ``field`` is ``name``."""
        items = self.value(base + (collection,))
        if not isinstance(items, list):
            return None
        for index, item in enumerate(items):
            if isinstance(item, Mapping) and str(item.get(field)) == name:
                return base + (collection, index)
        return None

    def entry(self, base: Path, collection: str, name: str, *, field: str = "name") -> str:
        """``file:line:col`` of the entry :meth:`named` finds (else of ``base``)."""
        return self.at(self.named(base, collection, name, field=field) or base)

    def at_index(self, base: Path, index: int) -> Path:
        return base + (index,)

    def adapter(self, namespace: str) -> Path:
        found = self.named(("capability",), "exposes", namespace, field="namespace")
        return found or ("capability", "exposes")

    def control(self) -> Path:
        return self.named(("capability",), "exposes", "control", field="type") or ("capability",)

    def operation(self, base: Path, name: str) -> Path:
        """A REST operation by name (a repeated name was suffixed ``-2``...: its base)."""
        resources = self.value(base + ("resources",))
        count = len(resources) if isinstance(resources, list) else 0
        for candidate in (name, re.sub(r"-\d+$", "", name)):
            for r_index in range(count):
                found = self.named(base + ("resources", r_index), "operations", candidate)
                if found is not None:
                    return found
        return base

    def bound(self, name: str) -> Path:
        binds = self.value(("binds",))
        for index, bind in enumerate(binds if isinstance(binds, list) else []):
            keys = bind.get("keys") if isinstance(bind, Mapping) else None
            if isinstance(keys, Mapping) and name in keys:
                return ("binds", index, "keys", name)
        return ("binds",)


def adapter_renames(old: Iterable[Adapter], new: Iterable[Adapter]) -> dict[str, str]:
    """Old namespace → new one for the only adapter of a kind on both sides whose namespace
    changed (clients never see a namespace; they see ports and names)."""
    old_list, new_list = list(old), list(new)
    renames = {}
    for kind in ("rest", "mcp", "skill"):
        before = [a for a in old_list if a.kind == kind]
        after = [a for a in new_list if a.kind == kind]
        if len(before) == len(after) == 1 and before[0].namespace != after[0].namespace:
            renames[before[0].namespace] = after[0].namespace
    return renames
