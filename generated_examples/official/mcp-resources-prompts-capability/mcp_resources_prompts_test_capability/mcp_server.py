"""MCP adapter `test-mcp-resources-prompts`.

Test MCP server for validating resources and prompts support."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote

import httpx
import mcp_types as types
from jsonschema import Draft202012Validator
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS
from starlette.applications import Starlette

from .config import Settings, load_settings
from .errors import InputError, UpstreamError
from .exchange import UpstreamResponse, upstream_message
from .mcp_results import tool_error
from .mcp_shaped import shaped_result
from .upstream import Upstreams
from .values import as_list, as_string, dig
from .wire import encode_json, to_text

logger = logging.getLogger(__name__)

SERVER_NAME = "test-mcp-resources-prompts"
INSTRUCTIONS = "Test MCP server for validating resources and prompts support."

TOOLS: tuple[types.Tool, ...] = (
    types.Tool(
        name="query-database",
        title="Query Database",
        description="Query the test database to retrieve committed participants.",
        input_schema={
            "type": "object",
            "properties": {},
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {
                "result": {
                    "type": ["array", "null"],
                    "items": {
                        "type": "object",
                        "properties": {"id": {"type": ["string", "null"]}},
                    },
                }
            },
            "required": ["result"],
        },
        annotations=types.ToolAnnotations(
            title="Query Database",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
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


def _shape_query_database(node: Any) -> Any:
    return [
        {"id": as_string(dig(element_1, "id"))}
        for element_1 in as_list(dig(node, "results"))
    ]


async def query_database(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Query the test database to retrieve committed participants."""
    upstream = await upstreams.mock_api.query_db(
        datasource_id="test-db-id-123",
        content_type="application/json",
        body=encode_json(
            {"filter": {"property": "Status", "select": {"equals": "Committed"}}}
        ),
        body_type="application/json",
    )
    return shaped_result(
        upstream,
        _shape_query_database,
        wrap=True,
    )


HANDLERS: dict[str, Handler] = {
    "query-database": query_database,
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


RESOURCES: tuple[types.Resource, ...] = (
    types.Resource(
        name="database-schema",
        title="Database Schema",
        uri="data://databases/pre-release/schema",
        description="Schema of the pre-release participants database",
        mime_type="application/json",
    ),
)
"""Resources with a fixed URI, as ``resources/list`` reports them."""

RESOURCE_TEMPLATES: tuple[types.ResourceTemplate, ...] = (
    types.ResourceTemplate(
        name="user-profile",
        title="User Profile",
        uri_template="data://users/{userId}/profile",
        description="User profile by ID",
        mime_type="application/json",
    ),
)
"""Resources whose URI has ``{parameters}``, as ``resources/templates/list`` reports them."""


async def read_database_schema(
    upstreams: Upstreams, settings: Settings, uri: str, match: re.Match[str]
) -> types.ReadResourceResult:
    """Schema of the pre-release participants database"""
    upstream = await upstreams.mock_api.query_db(
        datasource_id="test-db-id-123",
        content_type="application/json",
        body=encode_json(
            {"filter": {"property": "Status", "select": {"equals": "Committed"}}}
        ),
        body_type="application/json",
    )
    return resource_result(
        uri,
        "application/json",
        upstream,
        None,
    )


async def read_user_profile(
    upstreams: Upstreams, settings: Settings, uri: str, match: re.Match[str]
) -> types.ReadResourceResult:
    """User profile by ID"""
    user_id = unquote(match.group("p0"))
    upstream = await upstreams.mock_api.query_db(
        datasource_id=to_text(user_id),
        content_type="application/json",
        body=encode_json(
            {"filter": {"property": "Status", "select": {"equals": "Committed"}}}
        ),
        body_type="application/json",
    )
    return resource_result(
        uri,
        "application/json",
        upstream,
        None,
    )


ResourceReader = Callable[
    [Upstreams, Settings, str, re.Match[str]], Awaitable[types.ReadResourceResult]
]
RESOURCE_READERS: tuple[tuple[re.Pattern[str], ResourceReader], ...] = (
    (re.compile("data://databases/pre\\-release/schema"), read_database_schema),
    (re.compile("data://users/(?P<p0>[^/]+)/profile"), read_user_profile),
)


def resource_result(
    uri: str,
    mime_type: str | None,
    upstream: UpstreamResponse,
    shape: Callable[[Any], Any] | None,
) -> types.ReadResourceResult:
    """The contents of a resource; an upstream failure is an MCP error naming it."""
    if upstream.is_error:
        raise MCPError(INTERNAL_ERROR, upstream_message(upstream))
    text = upstream.text()
    if shape is not None:
        try:
            text = json.dumps(shape(upstream.json()), ensure_ascii=False)
        except ValueError:
            raise MCPError(
                INTERNAL_ERROR, f"{uri}: the upstream answer is not JSON"
            ) from None
    mime = mime_type or upstream.content_type.split(";", 1)[0] or None
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)]
    )


async def read_resource(
    upstreams: Upstreams, settings: Settings, uri: str
) -> types.ReadResourceResult:
    """Read the resource ``uri``; an unknown URI is an ``INVALID_PARAMS`` error."""
    for pattern, reader in RESOURCE_READERS:
        match = pattern.fullmatch(uri)
        if match is not None:
            try:
                return await reader(upstreams, settings, uri, match)
            except UpstreamError as error:
                raise MCPError(
                    INTERNAL_ERROR,
                    f"{error.namespace}.{error.operation} failed: {error.detail}",
                ) from None
    raise MCPError(INVALID_PARAMS, f"Unknown resource {uri!r}")


PROMPTS: tuple[types.Prompt, ...] = (
    types.Prompt(
        name="participant-outreach",
        title="Participant Outreach",
        description="Draft outreach message to pre-release participants",
        arguments=[
            types.PromptArgument(
                name="participant_name",
                description="Name of the participant",
                required=True,
            ),
            types.PromptArgument(
                name="product_name",
                description="Name of the product",
                required=True,
            ),
        ],
    ),
    types.Prompt(
        name="summary-prompt",
        title="Summary Prompt",
        description="Summarize data in a given format",
        arguments=[
            types.PromptArgument(
                name="data",
                description="The raw data to summarize",
                required=True,
            ),
            types.PromptArgument(
                name="format",
                description="Output format: bullet-points, paragraph, or table",
                required=False,
            ),
        ],
    ),
)
"""The prompts, as ``prompts/list`` reports them."""


def prompt_participant_outreach(args: dict[str, str]) -> types.GetPromptResult:
    """Draft outreach message to pre-release participants"""
    participant_name = args.get("participant_name")
    product_name = args.get("product_name")
    return types.GetPromptResult(
        description="Draft outreach message to pre-release participants",
        messages=[
            types.PromptMessage(
                role="user",
                content=types.TextContent(
                    type="text",
                    text="Draft a personalized outreach email to "
                    + to_text(participant_name)
                    + " about the upcoming "
                    + to_text(product_name)
                    + " pre-release. Be professional but friendly.",
                ),
            ),
        ],
    )


def prompt_summary_prompt(args: dict[str, str]) -> types.GetPromptResult:
    """Summarize data in a given format"""
    data = args.get("data")
    format_ = args.get("format")
    return types.GetPromptResult(
        description="Summarize data in a given format",
        messages=[
            types.PromptMessage(
                role="user",
                content=types.TextContent(
                    type="text",
                    text="Summarize the following data in "
                    + to_text(format_)
                    + " format:\n\n"
                    + to_text(data),
                ),
            ),
            types.PromptMessage(
                role="assistant",
                content=types.TextContent(
                    type="text", text="I'll summarize the data for you."
                ),
            ),
            types.PromptMessage(
                role="user",
                content=types.TextContent(
                    type="text", text="Please focus on the key insights."
                ),
            ),
        ],
    )


PROMPT_BUILDERS: dict[str, Callable[[dict[str, str]], types.GetPromptResult]] = {
    "participant-outreach": prompt_participant_outreach,
    "summary-prompt": prompt_summary_prompt,
}


def get_prompt(name: str, arguments: dict[str, str]) -> types.GetPromptResult:
    """Render the prompt ``name``; unknown prompts and missing arguments are errors."""
    build = PROMPT_BUILDERS.get(name)
    prompt = next((p for p in PROMPTS if p.name == name), None)
    if build is None or prompt is None:
        raise MCPError(INVALID_PARAMS, f"Unknown prompt {name!r}")
    missing = [
        a.name for a in prompt.arguments or [] if a.required and a.name not in arguments
    ]
    if missing:
        raise MCPError(
            INVALID_PARAMS, f"Prompt {name!r} needs the arguments: {', '.join(missing)}"
        )
    return build(arguments)


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

    async def list_resources(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=list(RESOURCES))

    async def list_resource_templates(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(
            resource_templates=list(RESOURCE_TEMPLATES)
        )

    async def on_read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        return await read_resource(upstreams, resolved, str(params.uri))

    async def list_prompts(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=list(PROMPTS))

    async def on_get_prompt(
        ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        return get_prompt(params.name, dict(params.arguments or {}))

    server: Server[Any] = Server(
        SERVER_NAME,
        version="1.0.0",
        title="MCP Resources & Prompts Test Capability",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=on_call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_resource_templates,
        on_read_resource=on_read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=on_get_prompt,
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
