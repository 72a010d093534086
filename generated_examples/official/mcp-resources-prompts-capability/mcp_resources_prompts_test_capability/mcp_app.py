"""An MCP server assembled from its tools, resources and prompts, served over Streamable
HTTP or stdio."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

import mcp_types as types
from mcp.server.caching import CacheHint
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import log_unexpected
from .mcp_progress import with_progress
from .mcp_tools import ToolSet

_logger = logging.getLogger(__name__)
_Result = TypeVar("_Result")

CACHED_RESULTS = (
    "tools/list",
    "prompts/list",
    "resources/list",
    "resources/templates/list",
    "resources/read",
)
"""The results that carry an adapter's cache hint."""


class Resources(Protocol):
    """What a server needs of its resources (``mcp_resources.ResourceSet``)."""

    @property
    def resources(self) -> Sequence[types.Resource]:
        """Resources with a fixed URI."""

    @property
    def templates(self) -> Sequence[types.ResourceTemplate]:
        """Resources whose URI has ``{parameters}``."""

    async def read(self, uri: str, *context: Any) -> types.ReadResourceResult:
        """Read the resource ``uri``."""


class Prompts(Protocol):
    """What a server needs of its prompts (``mcp_prompts.PromptSet``)."""

    @property
    def prompts(self) -> Sequence[types.Prompt]:
        """The prompts."""

    def get(self, name: str, arguments: dict[str, str]) -> types.GetPromptResult:
        """Render the prompt ``name``."""


class CallRecorder(Protocol):
    """What a server needs to record its tool calls (``recording.Recording``)."""

    def start(self, headers: Mapping[str, str]) -> Any:
        """A call starts."""

    def finish(
        self, started: Any, adapter: str, operation: str, *, failed: bool
    ) -> None:
        """The call was answered."""


def build_server(
    name: str,
    title: str,
    instructions: str,
    context: tuple[Any, ...],
    *,
    tools: ToolSet,
    resources: Resources | None = None,
    prompts: Prompts | None = None,
    recording: CallRecorder | None = None,
    cache_hint: CacheHint | None = None,
) -> Server[Any]:
    """The MCP server ``name``: its tools, resources and prompts, each called with
    ``context`` (the upstream clients and the settings); every tool call handed to
    ``recording`` when there is one. ``cache_hint`` (the adapter's ``ttlMs`` and
    ``cacheScope``) goes with every list and read result. A tool call whose request
    carries a progress token gets a progress notification every second it runs; a
    cancelled call (``notifications/cancelled``, or a 2026-07-28 request whose response
    stream closes) is cancelled, its upstream request with it."""

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        arguments = dict(params.arguments or {})

        async def answer() -> types.CallToolResult:
            return await tools.call(params.name, arguments, *context)

        async def report(waited: float, message: str) -> None:
            await ctx.session.report_progress(waited, None, message)

        started = (
            None
            if recording is None
            else recording.start(getattr(ctx.request, "headers", None) or {})
        )
        if ctx.meta and ctx.meta.get("progress_token") is not None:
            result = await with_progress(answer, report, f"tool {params.name!r}")
        else:
            result = await answer()
        if recording is not None:
            recording.finish(started, name, params.name, failed=bool(result.is_error))
        return result

    handlers: dict[str, Any] = {}
    if resources is not None:
        served = resources

        async def read_resource(
            ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
        ) -> types.ReadResourceResult:
            uri = str(params.uri)
            return await _answered(served.read(uri, *context), f"resource {uri!r}")

        handlers.update(
            on_list_resources=_listing(
                lambda: types.ListResourcesResult(resources=list(served.resources))
            ),
            on_list_resource_templates=_listing(
                lambda: types.ListResourceTemplatesResult(
                    resource_templates=list(served.templates)
                )
            ),
            on_read_resource=read_resource,
        )
    if prompts is not None:
        offered = prompts

        async def get_prompt(
            ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
        ) -> types.GetPromptResult:
            arguments = dict(params.arguments or {})
            return await _answered(
                _now(offered.get, params.name, arguments), f"prompt {params.name!r}"
            )

        handlers.update(
            on_list_prompts=_listing(
                lambda: types.ListPromptsResult(prompts=list(offered.prompts))
            ),
            on_get_prompt=get_prompt,
        )
    if cache_hint is not None:
        handlers["cache_hints"] = dict.fromkeys(CACHED_RESULTS, cache_hint)
    return Server(
        name,
        version="1.0.0",
        title=title,
        instructions=instructions,
        on_list_tools=_listing(lambda: types.ListToolsResult(tools=list(tools.tools))),
        on_call_tool=call_tool,
        get_tool_input_schema=tools.input_schema,
        **handlers,
    )


def _listing(
    result: Callable[[], _Result],
) -> Callable[
    [ServerRequestContext[Any], types.PaginatedRequestParams | None], Awaitable[_Result]
]:
    """A ``*/list`` handler answering ``result()`` (every list is one page)."""

    async def handler(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> _Result:
        return result()

    return handler


async def _answered(answer: Awaitable[_Result], what: str) -> _Result:
    """``answer``, or, when it fails unexpectedly, a JSON-RPC error naming a request id that
    the server log names too (with the traceback), never the failure's text."""
    try:
        return await answer
    except MCPError:
        raise
    except Exception as error:  # noqa: BLE001 - the server must survive any request
        request_id = log_unexpected(_logger, what, error)
        raise MCPError(
            INTERNAL_ERROR,
            f"{what} failed unexpectedly; the server log names it request {request_id}.",
        ) from None


async def _now(function: Callable[..., _Result], *args: Any) -> _Result:
    """``function(*args)`` as an awaitable (for :func:`_answered`)."""
    return function(*args)


SESSION_IDLE_SECONDS = 300
"""With sessions kept: a session unused this long is closed."""
MAX_SESSIONS = 1000
"""With sessions kept: open sessions at most (a client beyond them is refused until an
idle one closes)."""


def streamable_http_app(
    server: Server[Any],
    upstreams: AbstractAsyncContextManager[Any],
    host: str,
    *,
    sessions: bool = False,
) -> Starlette:
    """The Streamable HTTP application serving ``server`` at ``/mcp``, opening and closing
    ``upstreams`` with its lifespan.

    Stateless by default: no call needs anything a session would hold, so every request is
    served on its own, whichever replica receives it. Clients of the older ``initialize``
    handshake get no session id and send none; 2026-07-28 requests never had one. Replicas
    behind a plain round-robin load balancer then serve both protocol eras, and no session
    table grows with the number of clients. With ``sessions`` (one replica, or a balancer
    that keeps a client on one), a handshake-era client's ``notifications/cancelled``
    reaches its call, at the price of a session table bounded by :data:`MAX_SESSIONS` and
    :data:`SESSION_IDLE_SECONDS`.

    Responses may be event streams: only on one can a progress notification precede the
    answer, and closing one cancels its request (the SDK still answers a call that sends
    nothing on the way as plain JSON)."""
    app = server.streamable_http_app(
        host=host,
        json_response=False,
        stateless_http=not sessions,
        session_idle_timeout=SESSION_IDLE_SECONDS,
        max_sessions=MAX_SESSIONS,
    )
    session_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with upstreams, session_lifespan(app):
            yield

    app.router.lifespan_context = lifespan
    if not sessions:
        app.add_middleware(NoStandaloneStream)
    return app


class NoStandaloneStream:
    """ASGI middleware of a stateless server: ``GET /mcp`` is answered 405 (``Allow:
    POST``), as the transport lets a server that offers no server-to-client stream do.
    Without sessions nothing could ever be sent on one, and the SDK would hold it open,
    and its connection, for good."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a standalone stream; pass anything else on."""
        standalone = scope["type"] == "http" and scope["method"] == "GET"
        if standalone and scope["path"].rstrip("/") == "/mcp":
            refusal = JSONResponse(
                {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {
                        "code": -32600,
                        "message": "this stateless server offers no event stream "
                        "of its own: send requests with POST",
                    },
                },
                status_code=405,
                headers={"allow": "POST"},
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def serve_stdio(
    server: Server[Any], upstreams: AbstractAsyncContextManager[Any]
) -> None:
    """Serve ``server`` over standard input and output until the client disconnects."""
    async with upstreams, stdio_server() as (read_stream, write_stream):
        await server.run(
            read_stream, write_stream, server.create_initialization_options()
        )
