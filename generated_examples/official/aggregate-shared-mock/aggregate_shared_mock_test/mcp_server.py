"""MCP adapter `greeting-mcp`.

MCP adapter using aggregate ref in mock mode."""

from __future__ import annotations

from typing import Any

import httpx
import mcp_types as types
from mcp.server.lowlevel import Server
from starlette.applications import Starlette

from .config import ENV_PREFIX, Settings, load_settings
from .mcp_app import build_server, serve_stdio, streamable_http_app
from .mcp_results import value_result
from .mcp_tools import ToolSet
from .request_guard import guard_requests
from .upstream import Upstreams
from .values import as_string
from .wire import to_text

SERVER_NAME = "greeting-mcp"
INSTRUCTIONS = "MCP adapter using aggregate ref in mock mode."

TOOLS: tuple[types.Tool, ...] = (
    types.Tool(
        name="hello",
        title="Return greeting payload",
        description="Return greeting payload.\n\nAnswers from its declared output values; calls no API.",
        input_schema={
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Name to greet"},
                "jsonpath": {
                    "type": "string",
                    "description": 'Optional JSONPath (RFC 9535) selecting the part of the answer to return, e.g. `$.items[*].id`; the answer is then `{"matches": [...]}`.',
                },
            },
            "required": ["name"],
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {"message": {"type": "string"}, "source": {"type": "string"}},
        },
        annotations=types.ToolAnnotations(
            title="Return greeting payload",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        ),
    ),
)
"""The tools, as ``tools/list`` reports them."""


async def hello(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Return greeting payload.

    Answers from its declared output values; calls no API."""
    name = args["name"]
    return value_result(
        {
            "message": as_string("Hello, " + to_text(name) + "!"),
            "source": as_string("aggregate-mock"),
        },
        wrap=False,
    )


TOOL_SET = ToolSet(
    TOOLS,
    {
        "hello": hello,
    },
    projections={
        "hello": "jsonpath",
    },
)
"""The tools, the function answering each, the argument selecting part of each answer
(a JSONPath) and the tools' tags."""


def create_server(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[Server[Any], Upstreams]:
    """The MCP server and the upstream clients it uses (the caller opens and closes them)."""
    settings = settings or load_settings()
    upstreams = Upstreams.open(settings, transport)
    server = build_server(
        SERVER_NAME,
        "Aggregate Shared Mock Test",
        INSTRUCTIONS,
        (upstreams, settings),
        tools=TOOL_SET.serving(settings.mcp_tools, settings.mcp_max_answer_bytes),
    )
    return server, upstreams


def create_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """The Streamable HTTP application, serving MCP at ``/mcp``."""
    settings = settings or load_settings()
    server, upstreams = create_server(settings, transport)
    app = streamable_http_app(
        server, upstreams, settings.mcp_host, sessions=settings.mcp_sessions
    )
    guard_requests(
        app, settings, settings.mcp_host, ENV_PREFIX, "mcp", authenticated=False
    )
    return app


async def run_stdio(settings: Settings | None = None) -> None:
    """Serve MCP over standard input and output until the client disconnects."""
    server, upstreams = create_server(settings)
    await serve_stdio(server, upstreams)
