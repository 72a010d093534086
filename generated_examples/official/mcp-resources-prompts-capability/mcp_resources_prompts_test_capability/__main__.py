"""Command line: ``python -m mcp_resources_prompts_test_capability [mcp|all]``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from starlette.types import ASGIApp

from .config import ENV_PREFIX, Settings, load_settings
from .env_settings import ConfigError
from .serving import StartupError, run, serve_http

LISTEN_SETTINGS: dict[str, str] = {
    "MCP adapter test-mcp-resources-prompts (Streamable HTTP at /mcp)": "MCP_RESOURCES_PROMPTS_TEST_CAPABILITY_MCP",
}
"""The prefix of each server's ``_HOST`` and ``_PORT`` settings, by its label."""
EXIT_CONFIG = 2
"""Exit code: the settings are invalid or incomplete."""
EXIT_LISTEN = 3
"""Exit code: a server cannot listen on its address."""


def http_apps(settings: Settings, which: str) -> list[tuple[str, ASGIApp, str, int]]:
    """The (label, app, host, port) of every HTTP server ``which`` selects.

    Each adapter's module is imported only when it is served: a REST-only process does
    not load the MCP stack, and the reverse.
    """
    apps: list[tuple[str, ASGIApp, str, int]] = []
    if which in ("mcp", "all"):
        from . import mcp_server

        apps.append(
            (
                "MCP adapter test-mcp-resources-prompts (Streamable HTTP at /mcp)",
                mcp_server.create_app(settings),
                settings.mcp_host,
                settings.mcp_port,
            )
        )
    return apps


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, load the settings and run the selected servers."""
    parser = argparse.ArgumentParser(
        prog="mcp-resources-prompts-test-capability",
        description="Serve MCP Resources & Prompts Test Capability. Configuration comes from environment variables prefixed MCP_RESOURCES_PROMPTS_TEST_CAPABILITY_ (see README.md).",
    )
    parser.add_argument(
        "adapter",
        nargs="?",
        choices=["mcp", "all"],
        default="all",
        help="which adapters to serve (default: all)",
    )
    parser.add_argument(
        "--transport",
        choices=["http", "stdio"],
        default="http",
        help="MCP transport: Streamable HTTP or stdio (stdio serves only the MCP adapter)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes sharing the HTTP ports (default: 1)",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(level=settings.log_level, stream=sys.stderr)
    if settings.log_level != "DEBUG":
        # uvicorn already logs one access line per request; httpx's line for every
        # upstream call would double the log volume (DEBUG shows both).
        logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.transport == "stdio" and args.adapter in ("mcp", "all"):
        from . import mcp_server

        run(mcp_server.run_stdio(settings))
        return 0
    try:
        return serve_http(
            http_apps(settings, args.adapter),
            settings.log_level,
            settings.shutdown_timeout,
            workers=args.workers,
        )
    except StartupError as error:
        setting = LISTEN_SETTINGS.get(error.label, ENV_PREFIX.rstrip("_"))
        print(
            f"error: {error} (choose another with {setting}_PORT or {setting}_HOST)",
            file=sys.stderr,
        )
        return EXIT_LISTEN


if __name__ == "__main__":
    sys.exit(main())
