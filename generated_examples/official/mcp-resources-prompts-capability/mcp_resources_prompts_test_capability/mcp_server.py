"""MCP adapter `test-mcp-resources-prompts`.

Test MCP server for validating resources and prompts support."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import httpx
import mcp_types as types
from mcp.server.lowlevel import Server
from starlette.applications import Starlette

from .config import ENV_PREFIX, Settings, load_settings
from .mcp_app import build_server, serve_stdio, streamable_http_app
from .mcp_prompts import PromptSet
from .mcp_resources import ResourceSet, resource_result
from .mcp_shaped import shaped_result
from .mcp_tools import ToolSet
from .request_guard import guard_requests
from .upstream import Upstreams
from .values import as_list, as_string, dig
from .wire import encode_json, to_text

SERVER_NAME = "test-mcp-resources-prompts"
INSTRUCTIONS = "Test MCP server for validating resources and prompts support."

TOOLS: tuple[types.Tool, ...] = (
    types.Tool(
        name="query-database",
        title="Query Database",
        description="Query the test database to retrieve committed participants.\n\nCalls POST databases/{{datasource_id}}/query of the API `mock-api`.",
        input_schema={
            "type": "object",
            "properties": {
                "jsonpath": {
                    "type": "string",
                    "description": 'Optional JSONPath (RFC 9535) selecting the part of the answer to return, e.g. `$.items[*].id`; the answer is then `{"matches": [...]}`.',
                }
            },
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "anyOf": [
                {
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
                {
                    "type": "object",
                    "properties": {
                        "matches": {"type": "array"},
                        "truncated": {"type": "string"},
                    },
                    "additionalProperties": False,
                    "minProperties": 1,
                    "maxProperties": 1,
                },
            ],
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


def _shape_query_database(node: Any) -> Any:
    return [
        {"id": as_string(dig(element_1, "id"))}
        for element_1 in as_list(dig(node, "results"))
    ]


async def query_database(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Query the test database to retrieve committed participants.

    Calls POST databases/{{datasource_id}}/query of the API `mock-api`."""
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


TOOL_SET = ToolSet(
    TOOLS,
    {
        "query-database": query_database,
    },
    projections={
        "query-database": "jsonpath",
    },
)
"""The tools, the function answering each, the argument selecting part of each answer
(a JSONPath) and the tools' tags."""


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


RESOURCE_SET = ResourceSet(
    RESOURCES,
    RESOURCE_TEMPLATES,
    readers=[
        ("data://databases/pre\\-release/schema", read_database_schema),
        ("data://users/(?P<p0>[^/]+)/profile", read_user_profile),
    ],
)
"""The resources, how each is read, and the files embedded at build time."""


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


PROMPT_SET = PromptSet(
    PROMPTS,
    {
        "participant-outreach": prompt_participant_outreach,
        "summary-prompt": prompt_summary_prompt,
    },
)
"""The prompts and the function rendering each."""


def create_server(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[Server[Any], Upstreams]:
    """The MCP server and the upstream clients it uses (the caller opens and closes them)."""
    settings = settings or load_settings()
    upstreams = Upstreams.open(settings, transport)
    server = build_server(
        SERVER_NAME,
        "MCP Resources & Prompts Test Capability",
        INSTRUCTIONS,
        (upstreams, settings),
        tools=TOOL_SET.serving(settings.mcp_tools, settings.mcp_max_answer_bytes),
        resources=RESOURCE_SET,
        prompts=PROMPT_SET,
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
