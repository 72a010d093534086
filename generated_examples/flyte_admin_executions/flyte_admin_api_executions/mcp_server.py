"""MCP adapter `admin-executions-mcp`.

MCP adapter for Flyte Admin API — Executions. One tool per consumed operation, routed inline through this capability's consumes block.
"""

from __future__ import annotations

from typing import Any

import httpx
import mcp_types as types
from mcp.server.lowlevel import Server
from starlette.applications import Starlette

from .config import ENV_PREFIX, Settings, load_settings
from .mcp_app import build_server, serve_stdio, streamable_http_app
from .mcp_arguments import body_argument, query_argument
from .mcp_results import tool_result
from .mcp_tools import ToolSet
from .request_guard import guard_requests
from .upstream import Upstreams

SERVER_NAME = "admin-executions-mcp"
INSTRUCTIONS = "MCP adapter for Flyte Admin API — Executions. One tool per consumed operation, routed inline through this capability's consumes block."

TOOLS: tuple[types.Tool, ...] = (
    types.Tool(
        name="create-workflow-execution",
        title="Create a workflow execution",
        description="Create a workflow execution\n\nCalls POST /api/v1/executions of the API `admin-executions`.",
        input_schema={
            "type": "object",
            "properties": {
                "body": {
                    "type": "object",
                    "description": "JSON request body sent to the upstream API.",
                },
                "jsonpath": {
                    "type": "string",
                    "description": 'Optional JSONPath (RFC 9535) selecting the part of the answer to return, e.g. `$.items[*].id`; the answer is then `{"matches": [...]}`.',
                },
            },
            "additionalProperties": False,
        },
        output_schema={"type": "object"},
        annotations=types.ToolAnnotations(
            title="Create a workflow execution",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
    ),
    types.Tool(
        name="recover-workflow-execution",
        title="Recover a workflow execution",
        description="Recover a workflow execution\n\nCalls POST /api/v1/executions/recover of the API `admin-executions`.",
        input_schema={
            "type": "object",
            "properties": {
                "body": {
                    "type": "object",
                    "description": "JSON request body sent to the upstream API.",
                },
                "jsonpath": {
                    "type": "string",
                    "description": 'Optional JSONPath (RFC 9535) selecting the part of the answer to return, e.g. `$.items[*].id`; the answer is then `{"matches": [...]}`.',
                },
            },
            "additionalProperties": False,
        },
        output_schema={"type": "object"},
        annotations=types.ToolAnnotations(
            title="Recover a workflow execution",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
    ),
    types.Tool(
        name="relaunch-workflow-execution",
        title="Relaunch a workflow execution",
        description="Relaunch a workflow execution\n\nCalls POST /api/v1/executions/relaunch of the API `admin-executions`.",
        input_schema={
            "type": "object",
            "properties": {
                "body": {
                    "type": "object",
                    "description": "JSON request body sent to the upstream API.",
                },
                "jsonpath": {
                    "type": "string",
                    "description": 'Optional JSONPath (RFC 9535) selecting the part of the answer to return, e.g. `$.items[*].id`; the answer is then `{"matches": [...]}`.',
                },
            },
            "additionalProperties": False,
        },
        output_schema={"type": "object"},
        annotations=types.ToolAnnotations(
            title="Relaunch a workflow execution",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
    ),
    types.Tool(
        name="list-workflow-executions",
        title="List workflow executions",
        description="List workflow executions\n\nCalls GET /api/v1/executions/{id.project}/{id.domain} of the API `admin-executions`.",
        input_schema={
            "type": "object",
            "properties": {
                "id.project": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.project` of GET /api/v1/executions/{id.project}/{id.domain}.",
                },
                "id.domain": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.domain` of GET /api/v1/executions/{id.project}/{id.domain}.",
                },
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
            "required": ["id.project", "id.domain"],
            "additionalProperties": False,
        },
        output_schema={"type": "object"},
        annotations=types.ToolAnnotations(
            title="List workflow executions",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=True,
        ),
    ),
    types.Tool(
        name="retrieve-workflow-execution",
        title="Retrieve a workflow execution",
        description="Retrieve a workflow execution\n\nCalls GET /api/v1/executions/{id.project}/{id.domain}/{id.name} of the API `admin-executions`.",
        input_schema={
            "type": "object",
            "properties": {
                "id.project": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.project` of GET /api/v1/executions/{id.project}/{id.domain}/{id.name}.",
                },
                "id.domain": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.domain` of GET /api/v1/executions/{id.project}/{id.domain}/{id.name}.",
                },
                "id.name": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.name` of GET /api/v1/executions/{id.project}/{id.domain}/{id.name}.",
                },
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
            "required": ["id.project", "id.domain", "id.name"],
            "additionalProperties": False,
        },
        output_schema={"type": "object"},
        annotations=types.ToolAnnotations(
            title="Retrieve a workflow execution",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=True,
        ),
    ),
    types.Tool(
        name="terminate-workflow-execution",
        title="Terminate a workflow execution",
        description="Terminate a workflow execution\n\nCalls DELETE /api/v1/executions/{id.project}/{id.domain}/{id.name} of the API `admin-executions`.",
        input_schema={
            "type": "object",
            "properties": {
                "id.project": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.project` of DELETE /api/v1/executions/{id.project}/{id.domain}/{id.name}.",
                },
                "id.domain": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.domain` of DELETE /api/v1/executions/{id.project}/{id.domain}/{id.name}.",
                },
                "id.name": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.name` of DELETE /api/v1/executions/{id.project}/{id.domain}/{id.name}.",
                },
                "body": {
                    "type": "object",
                    "description": "JSON request body sent to the upstream API.",
                },
                "jsonpath": {
                    "type": "string",
                    "description": 'Optional JSONPath (RFC 9535) selecting the part of the answer to return, e.g. `$.items[*].id`; the answer is then `{"matches": [...]}`.',
                },
            },
            "required": ["id.project", "id.domain", "id.name"],
            "additionalProperties": False,
        },
        output_schema={"type": "object"},
        annotations=types.ToolAnnotations(
            title="Terminate a workflow execution",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=True,
            open_world_hint=True,
        ),
    ),
    types.Tool(
        name="retrieve-execution-metrics",
        title="Retrieve execution metrics",
        description="Retrieve execution metrics\n\nCalls GET /api/v1/metrics/executions/{id.project}/{id.domain}/{id.name} of the API `admin-executions`.",
        input_schema={
            "type": "object",
            "properties": {
                "id.project": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.project` of GET /api/v1/metrics/executions/{id.project}/{id.domain}/{id.name}.",
                },
                "id.domain": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.domain` of GET /api/v1/metrics/executions/{id.project}/{id.domain}/{id.name}.",
                },
                "id.name": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Path parameter `id.name` of GET /api/v1/metrics/executions/{id.project}/{id.domain}/{id.name}.",
                },
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
            "required": ["id.project", "id.domain", "id.name"],
            "additionalProperties": False,
        },
        output_schema={"type": "object"},
        annotations=types.ToolAnnotations(
            title="Retrieve execution metrics",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=True,
        ),
    ),
)
"""The tools, as ``tools/list`` reports them."""


async def create_workflow_execution(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Create a workflow execution

    Calls POST /api/v1/executions of the API `admin-executions`."""
    upstream = await upstreams.admin_executions.createexecution(
        body=body_argument(args),
    )
    return tool_result(upstream, structured=True)


async def recover_workflow_execution(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Recover a workflow execution

    Calls POST /api/v1/executions/recover of the API `admin-executions`."""
    upstream = await upstreams.admin_executions.recoverexecution(
        body=body_argument(args),
    )
    return tool_result(upstream, structured=True)


async def relaunch_workflow_execution(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Relaunch a workflow execution

    Calls POST /api/v1/executions/relaunch of the API `admin-executions`."""
    upstream = await upstreams.admin_executions.relaunchexecution(
        body=body_argument(args),
    )
    return tool_result(upstream, structured=True)


async def list_workflow_executions(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """List workflow executions

    Calls GET /api/v1/executions/{id.project}/{id.domain} of the API `admin-executions`.
    """
    id_project = args["id.project"]
    id_domain = args["id.domain"]
    upstream = await upstreams.admin_executions.listexecutions(
        id_project=id_project,
        id_domain=id_domain,
        extra_query=query_argument(args),
    )
    return tool_result(upstream, structured=True)


async def retrieve_workflow_execution(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Retrieve a workflow execution

    Calls GET /api/v1/executions/{id.project}/{id.domain}/{id.name} of the API `admin-executions`.
    """
    id_project = args["id.project"]
    id_domain = args["id.domain"]
    id_name = args["id.name"]
    upstream = await upstreams.admin_executions.getexecution(
        id_project=id_project,
        id_domain=id_domain,
        id_name=id_name,
        extra_query=query_argument(args),
    )
    return tool_result(upstream, structured=True)


async def terminate_workflow_execution(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Terminate a workflow execution

    Calls DELETE /api/v1/executions/{id.project}/{id.domain}/{id.name} of the API `admin-executions`.
    """
    id_project = args["id.project"]
    id_domain = args["id.domain"]
    id_name = args["id.name"]
    upstream = await upstreams.admin_executions.terminateexecution(
        id_project=id_project,
        id_domain=id_domain,
        id_name=id_name,
        body=body_argument(args),
    )
    return tool_result(upstream, structured=True)


async def retrieve_execution_metrics(
    upstreams: Upstreams, settings: Settings, args: dict[str, Any]
) -> types.CallToolResult:
    """Retrieve execution metrics

    Calls GET /api/v1/metrics/executions/{id.project}/{id.domain}/{id.name} of the API `admin-executions`.
    """
    id_project = args["id.project"]
    id_domain = args["id.domain"]
    id_name = args["id.name"]
    upstream = await upstreams.admin_executions.getexecutionmetrics(
        id_project=id_project,
        id_domain=id_domain,
        id_name=id_name,
        extra_query=query_argument(args),
    )
    return tool_result(upstream, structured=True)


TOOL_SET = ToolSet(
    TOOLS,
    {
        "create-workflow-execution": create_workflow_execution,
        "recover-workflow-execution": recover_workflow_execution,
        "relaunch-workflow-execution": relaunch_workflow_execution,
        "list-workflow-executions": list_workflow_executions,
        "retrieve-workflow-execution": retrieve_workflow_execution,
        "terminate-workflow-execution": terminate_workflow_execution,
        "retrieve-execution-metrics": retrieve_execution_metrics,
    },
    projections={
        "create-workflow-execution": "jsonpath",
        "recover-workflow-execution": "jsonpath",
        "relaunch-workflow-execution": "jsonpath",
        "list-workflow-executions": "jsonpath",
        "retrieve-workflow-execution": "jsonpath",
        "terminate-workflow-execution": "jsonpath",
        "retrieve-execution-metrics": "jsonpath",
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
        "Flyte Admin API — Executions",
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
