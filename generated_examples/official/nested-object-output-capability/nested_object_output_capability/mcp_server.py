"""MCP adapter `test-tools`.

Test MCP for nested object output mapping"""

from __future__ import annotations

from typing import Any

import httpx
import mcp_types as types
from mcp.server.lowlevel import Server
from starlette.applications import Starlette

from .config import ENV_PREFIX, Settings, load_settings
from .mcp_app import build_server, serve_stdio, streamable_http_app
from .mcp_arguments import query_argument
from .mcp_shaped import shaped_result
from .mcp_tools import ToolSet
from .request_guard import guard_requests
from .upstream import Upstreams
from .values import as_number, as_string, dig
from .wire import to_text

SERVER_NAME = "test-tools"
INSTRUCTIONS = "Test MCP for nested object output mapping"

TOOLS: tuple[types.Tool, ...] = (
    types.Tool(
        name="get-ship",
        title="Get ship details",
        description="Get ship details\n\nCalls GET /ships/{{imo_number}} of the API `registry`.",
        input_schema={
            "type": "object",
            "properties": {
                "imo": {"type": "string", "description": "IMO number of the ship"},
                "query": {
                    "type": "object",
                    "description": "Query-string parameters passed to the upstream API (for example `limit` and `token` to page a list).",
                    "additionalProperties": {
                        "type": ["string", "number", "boolean", "array"],
                        "items": {"type": ["string", "number", "boolean"]},
                    },
                },
                "jsonpath": {
                    "type": "string",
                    "description": 'Optional JSONPath (RFC 9535) selecting the part of the answer to return, e.g. `$.items[*].id`; the answer is then `{"matches": [...]}`.',
                },
            },
            "required": ["imo"],
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {
                "imo": {"type": ["string", "null"]},
                "name": {"type": ["string", "null"]},
                "specs": {
                    "type": "object",
                    "properties": {
                        "length": {"type": ["number", "null"]},
                        "tonnage": {"type": ["number", "null"]},
                        "yearBuilt": {"type": ["number", "null"]},
                    },
                },
                "status": {"type": ["string", "null"]},
            },
        },
        annotations=types.ToolAnnotations(
            title="Get ship details",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=True,
        ),
    ),
)
"""The tools, as ``tools/list`` reports them."""


def _shape_get_ship(node: Any) -> Any:
    return {
        "imo": as_string(dig(node, "imo_number")),
        "name": as_string(dig(node, "vessel_name")),
        "specs": {
            "length": as_number(dig(node, "dimensions", "length_overall")),
            "tonnage": as_number(dig(node, "gross_tonnage")),
            "yearBuilt": as_number(dig(node, "year_built")),
        },
        "status": as_string(dig(node, "operational_status")),
    }


async def get_ship(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Get ship details

    Calls GET /ships/{{imo_number}} of the API `registry`."""
    imo = args["imo"]
    upstream = await upstreams.registry.get_ship(
        imo_number=to_text(imo),
        extra_query=query_argument(args),
    )
    return shaped_result(
        upstream,
        _shape_get_ship,
        wrap=False,
    )


TOOL_SET = ToolSet(
    TOOLS,
    {
        "get-ship": get_ship,
    },
    projections={
        "get-ship": "jsonpath",
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
        "Nested Object Output Capability",
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
