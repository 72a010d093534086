"""Run-time settings, read from environment variables prefixed ``NESTED_OBJECT_OUTPUT_CAPABILITY_``."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

from .env_settings import SettingsReader

ENV_PREFIX = "NESTED_OBJECT_OUTPUT_CAPABILITY_"


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the servers need at run time."""

    registry_base_url: str
    """Base URL of the consumed API ``registry`` (NESTED_OBJECT_OUTPUT_CAPABILITY_REGISTRY_BASE_URL)."""
    mcp_host: str
    mcp_port: int
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    """Longest time one upstream exchange may take, however the bytes trickle in."""
    max_response_bytes: int
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
        registry_base_url=env.base_url("REGISTRY_BASE_URL", "http://localhost:9999"),
        mcp_host=env.text("MCP_HOST", "127.0.0.1"),
        mcp_port=env.port("MCP_PORT", 9099),
        connect_timeout=env.number("CONNECT_TIMEOUT", 5.0),
        read_timeout=env.number("READ_TIMEOUT", 30.0),
        total_timeout=env.number("TOTAL_TIMEOUT", 60.0),
        max_response_bytes=int(
            env.number("MAX_RESPONSE_BYTES", 10 * 1024 * 1024, integer=True)
        ),
        upstream_connections=max(
            1, int(env.number("UPSTREAM_CONNECTIONS", 100, integer=True))
        ),
        shutdown_timeout=env.number("SHUTDOWN_TIMEOUT", 30.0),
        log_level=env.log_level(),
        secrets=secrets,
    )
    env.check()
    return settings
