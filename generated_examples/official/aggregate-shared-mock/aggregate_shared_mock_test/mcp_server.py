"""MCP adapter `greeting-mcp`.

MCP adapter using aggregate ref in mock mode."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import mcp_types as types
from jsonschema import Draft202012Validator
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from starlette.applications import Starlette

from .config import Settings, load_settings
from .errors import InputError, UpstreamError
from .mcp_results import tool_error, value_result
from .upstream import Upstreams
from .values import as_string
from .wire import to_text

logger = logging.getLogger(__name__)

SERVER_NAME = "greeting-mcp"
INSTRUCTIONS = "MCP adapter using aggregate ref in mock mode."

TOOLS: tuple[types.Tool, ...] = (
    types.Tool(
        name="hello",
        description="Return greeting payload.",
        input_schema={
            "type": "object",
            "properties": {"name": {"type": "string", "description": "Name to greet"}},
            "required": ["name"],
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {"message": {"type": "string"}, "source": {"type": "string"}},
        },
        annotations=types.ToolAnnotations(
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        ),
    ),
)
"""The tools, as ``tools/list`` reports them."""

_SCHEMAS: dict[str, Mapping[str, Any]] = {
    tool.name: tool.input_schema for tool in TOOLS
}
_VALIDATORS = {name: Draft202012Validator(schema) for name, schema in _SCHEMAS.items()}

Handler = Callable[
    [Upstreams, Settings, dict[str, Any]], Awaitable[types.CallToolResult]
]


async def hello(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Return greeting payload."""
    name = args["name"]
    return value_result(
        {
            "message": as_string("Hello, " + to_text(name) + "!"),
            "source": as_string("aggregate-mock"),
        },
        wrap=False,
    )


HANDLERS: dict[str, Handler] = {
    "hello": hello,
}


async def call_tool(
    upstreams: Upstreams, settings: Settings, name: str, arguments: dict[str, Any]
) -> types.CallToolResult:
    """Validate the arguments, call the upstream and shape the result; never raises."""
    handler = HANDLERS.get(name)
    if handler is None:
        return tool_error(
            f"Unknown tool {name!r}. Available tools: {', '.join(HANDLERS)}."
        )
    problems = sorted(
        _VALIDATORS[name].iter_errors(arguments),
        key=lambda error: list(error.absolute_path),
    )
    if problems:
        details = "; ".join(
            f"{'.'.join(str(p) for p in error.absolute_path) or 'arguments'}: {error.message}"
            for error in problems
        )
        return tool_error(f"Invalid arguments for tool {name!r}: {details}")
    try:
        return await handler(upstreams, settings, arguments)
    except UpstreamError as error:
        return tool_error(f"{error.namespace}.{error.operation} failed: {error.detail}")
    except InputError as error:
        return tool_error(f"Invalid argument {error.field!r}: {error.message}")
    except Exception as error:  # the server must survive any single call
        logger.exception("tool %s failed", name)
        return tool_error(
            f"Tool {name!r} failed unexpectedly ({type(error).__name__})."
        )


def create_server(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[Server[Any], Upstreams]:
    """The MCP server and the upstream clients it uses (the caller opens and closes them)."""
    settings = settings or load_settings()
    upstreams = Upstreams.open(settings, transport)
    resolved = settings

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=list(TOOLS))

    async def on_call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        return await call_tool(
            upstreams, resolved, params.name, dict(params.arguments or {})
        )

    server: Server[Any] = Server(
        SERVER_NAME,
        version="1.0.0",
        title="Aggregate Shared Mock Test",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=on_call_tool,
        get_tool_input_schema=_SCHEMAS.get,
    )
    return server, upstreams


def create_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """The Streamable HTTP application, serving MCP at ``/mcp``."""
    settings = settings or load_settings()
    server, upstreams = create_server(settings, transport)
    app = server.streamable_http_app(host=settings.mcp_host, json_response=True)
    session_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with upstreams, session_lifespan(app):
            yield

    app.router.lifespan_context = lifespan
    return app


async def run_stdio(settings: Settings | None = None) -> None:
    """Serve MCP over standard input and output until the client disconnects."""
    server, upstreams = create_server(settings)
    async with upstreams, stdio_server() as (read_stream, write_stream):
        await server.run(
            read_stream, write_stream, server.create_initialization_options()
        )
