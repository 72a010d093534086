"""MCP adapters: tools, resources, prompts, cache hints and the adapter."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from .consumes import Authentication
from .units import ExposedInput, Invocation, Output, Step
from .values import ValueSource


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
    projection: str | None = None
    """The optional argument taking a JSONPath that selects part of the answer (``None``:
    the answer is not JSON)."""
    output_schema: dict[str, Any] | None = None
    """The published ``outputSchema``: the output's, widened where it would refuse a
    partial answer (projected or truncated)."""
    tags: tuple[str, ...] = ()
    """The tool's tags, for the run-time tool selection."""


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
