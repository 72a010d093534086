"""Run-time settings, read from environment variables prefixed ``AGGREGATE_SHARED_MOCK_TEST_``."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping

ENV_PREFIX = "AGGREGATE_SHARED_MOCK_TEST_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """The environment does not configure the package completely; the message says how."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the servers need at run time."""

    rest_host: str
    rest_port: int
    mcp_host: str
    mcp_port: int
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    """Longest time one upstream exchange may take, however the bytes trickle in."""
    max_response_bytes: int
    log_level: str
    secrets: Mapping[str, str] = dataclasses.field(repr=False)
    """Bound variables by name. Never logged, never echoed."""


def _number(
    environ: Mapping[str, str],
    name: str,
    default: float,
    errors: list[str],
    *,
    integer: bool,
) -> float:
    raw = environ.get(ENV_PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = math.nan
    if math.isnan(value):
        errors.append(
            f"{ENV_PREFIX}{name} must be a{'n integer' if integer else ' number'}"
        )
        return default
    if value < 0:
        errors.append(f"{ENV_PREFIX}{name} must not be negative")
    return value


def _port(
    environ: Mapping[str, str], name: str, default: int, errors: list[str]
) -> int:
    port = int(_number(environ, name, default, errors, integer=True))
    if port > 65535:
        errors.append(f"{ENV_PREFIX}{name} must be a port number (0 to 65535)")
    return port


def _log_level(environ: Mapping[str, str], errors: list[str]) -> str:
    level = (environ.get(ENV_PREFIX + "LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS:
        errors.append(f"{ENV_PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        return "INFO"
    return level


def _base_url(
    environ: Mapping[str, str], name: str, default: str, errors: list[str]
) -> str:
    value = environ.get(ENV_PREFIX + name) or default
    if not value or "{" in value:
        why = (
            f" (the capability's baseUri {default!r} is a template)"
            if "{" in default
            else ""
        )
        errors.append(
            f"{ENV_PREFIX}{name} must be set to the upstream API's base URL{why}"
        )
    elif not value.startswith(("http://", "https://")):
        errors.append(f"{ENV_PREFIX}{name} must be an http:// or https:// URL")
    return value.rstrip("/")


def _secrets(environ: Mapping[str, str], errors: list[str]) -> dict[str, str]:
    """Resolve the bound variables; every missing required one is reported at once."""
    secrets: dict[str, str] = {}
    return secrets


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings; raises :class:`ConfigError` naming every problem at once."""
    env = os.environ if environ is None else environ
    errors: list[str] = []
    secrets = _secrets(env, errors)
    settings = Settings(
        rest_host=env.get(ENV_PREFIX + "REST_HOST") or "127.0.0.1",
        rest_port=_port(env, "REST_PORT", 9201, errors),
        mcp_host=env.get(ENV_PREFIX + "MCP_HOST") or "127.0.0.1",
        mcp_port=_port(env, "MCP_PORT", 9200, errors),
        connect_timeout=_number(env, "CONNECT_TIMEOUT", 5.0, errors, integer=False),
        read_timeout=_number(env, "READ_TIMEOUT", 30.0, errors, integer=False),
        total_timeout=_number(env, "TOTAL_TIMEOUT", 60.0, errors, integer=False),
        max_response_bytes=int(
            _number(env, "MAX_RESPONSE_BYTES", 10 * 1024 * 1024, errors, integer=True)
        ),
        log_level=_log_level(env, errors),
        secrets=secrets,
    )
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
    return settings
