"""Run-time settings, read from environment variables prefixed ``AGGREGATE_SHARED_MOCK_TEST_``."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

from .env_settings import SettingsReader
from .mcp_selection import (
    DEFAULT_MAX_ANSWER_BYTES,
    ToolSelection,
    keeps_sessions,
    tool_selection,
)

ENV_PREFIX = "AGGREGATE_SHARED_MOCK_TEST_"


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the servers need at run time."""

    rest_host: str
    rest_port: int
    mcp_host: str
    mcp_port: int
    mcp_tools: ToolSelection
    """The MCP tools served (MCP_READ_ONLY, MCP_TOOLS, MCP_TOOL_TAGS)."""
    mcp_max_answer_bytes: int
    """Longest MCP tool answer, in bytes of text, before it is cut with a note (0: no cap)."""
    mcp_sessions: bool
    """Keep MCP sessions (MCP_SESSIONS=stateful) instead of serving each request alone."""
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    """Longest time one upstream exchange may take, however the bytes trickle in."""
    max_response_bytes: int
    max_body_bytes: int
    """The largest request body accepted (413 above it)."""
    max_json_depth: int
    """The deepest nesting of arrays and objects a JSON request body may have."""
    max_string_length: int
    """The longest string a request may hold (JSON string, path segment, query value)."""
    allowed_hosts: tuple[str, ...]
    """Host header values accepted when an adapter listens beyond loopback."""
    allowed_origins: tuple[str, ...]
    """Origin header values accepted when an adapter listens beyond loopback."""
    upstream_connections: int
    """Connections each upstream client keeps open and reuses, at most (size it to the
    calls the server serves at once)."""
    shutdown_timeout: float
    """Seconds in-flight calls may take to finish after SIGTERM."""
    log_level: str
    secrets: Mapping[str, str] = dataclasses.field(repr=False)
    """Bound variables by name. Never logged, never echoed."""


def _secrets(environ: Mapping[str, str], errors: list[str]) -> dict[str, str]:
    """Resolve the bound variables; every missing required one is reported at once."""
    secrets: dict[str, str] = {}
    return secrets


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings; raises :class:`ConfigError` naming every problem at once."""
    env = SettingsReader(os.environ if environ is None else environ, ENV_PREFIX)
    secrets = _secrets(env.environ, env.errors)
    settings = Settings(
        rest_host=env.text("REST_HOST", "127.0.0.1"),
        rest_port=env.port("REST_PORT", 9201),
        mcp_host=env.text("MCP_HOST", "127.0.0.1"),
        mcp_port=env.port("MCP_PORT", 9200),
        mcp_tools=tool_selection(env),
        mcp_sessions=keeps_sessions(env),
        mcp_max_answer_bytes=int(
            env.number("MCP_MAX_ANSWER_BYTES", DEFAULT_MAX_ANSWER_BYTES, integer=True)
        ),
        connect_timeout=env.number("CONNECT_TIMEOUT", 5.0),
        read_timeout=env.number("READ_TIMEOUT", 30.0),
        total_timeout=env.number("TOTAL_TIMEOUT", 60.0),
        max_response_bytes=int(
            env.number("MAX_RESPONSE_BYTES", 10 * 1024 * 1024, integer=True)
        ),
        max_body_bytes=env.limit("MAX_BODY_BYTES", 1024 * 1024),
        max_json_depth=env.limit("MAX_JSON_DEPTH", 64),
        max_string_length=env.limit("MAX_STRING_LENGTH", 65536),
        allowed_hosts=env.names("ALLOWED_HOSTS"),
        allowed_origins=env.names("ALLOWED_ORIGINS"),
        upstream_connections=max(
            1, int(env.number("UPSTREAM_CONNECTIONS", 100, integer=True))
        ),
        shutdown_timeout=env.number("SHUTDOWN_TIMEOUT", 30.0),
        log_level=env.log_level(),
        secrets=secrets,
    )
    env.require_allowed_hosts(
        {"REST_HOST": settings.rest_host, "MCP_HOST": settings.mcp_host},
        settings.allowed_hosts,
    )
    env.check()
    return settings
