"""REST adapter `admin-executions-rest`.

REST adapter for Flyte Admin API — Executions. One Spectral-compliant resource per consumed operation, prefixed with /v1.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import Response

from .config import ENV_PREFIX, Settings, load_settings
from .http_app import CapabilityApp, passthrough, passthrough_query, path_value
from .http_body import json_body
from .request_guard import guard_requests
from .upstream import Upstreams

OPENAPI: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("rest_openapi.json").read_text("utf-8")
)
"""The OpenAPI document, in the capability's own names and descriptions."""


def create_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> CapabilityApp:
    """Build the application (``uvicorn --factory flyte_admin_api_executions.rest:create_app``)."""
    settings = settings or load_settings()
    upstreams = Upstreams.open(settings, transport)
    app = CapabilityApp(
        OPENAPI,
        upstreams,
        title="Flyte Admin API — Executions",
        description="REST adapter for Flyte Admin API — Executions. One Spectral-compliant resource per consumed operation, prefixed with /v1.",
        version="1.0.0",
    )

    async def createexecution(request: Request) -> Response:
        """Create a workflow execution"""
        upstream = await upstreams.admin_executions.createexecution(
            extra_query=passthrough_query(request, []),
            body=await json_body(request, required=False),
        )
        return passthrough(upstream)

    app.add_route(
        "/v1/api/v1/executions",
        createexecution,
        methods=["POST"],
        name="createexecution",
    )

    async def recoverexecution(request: Request) -> Response:
        """Recover a workflow execution"""
        upstream = await upstreams.admin_executions.recoverexecution(
            extra_query=passthrough_query(request, []),
            body=await json_body(request, required=False),
        )
        return passthrough(upstream)

    app.add_route(
        "/v1/api/v1/executions/recover",
        recoverexecution,
        methods=["POST"],
        name="recoverexecution",
    )

    async def relaunchexecution(request: Request) -> Response:
        """Relaunch a workflow execution"""
        upstream = await upstreams.admin_executions.relaunchexecution(
            extra_query=passthrough_query(request, []),
            body=await json_body(request, required=False),
        )
        return passthrough(upstream)

    app.add_route(
        "/v1/api/v1/executions/relaunch",
        relaunchexecution,
        methods=["POST"],
        name="relaunchexecution",
    )

    async def listexecutions(request: Request) -> Response:
        """List workflow executions"""
        id_project = path_value(request, "id_project")
        id_domain = path_value(request, "id_domain")
        upstream = await upstreams.admin_executions.listexecutions(
            id_project=id_project,
            id_domain=id_domain,
            extra_query=passthrough_query(request, []),
        )
        return passthrough(upstream)

    app.add_route(
        "/v1/api/v1/executions/{id_project}/{id_domain}",
        listexecutions,
        methods=["GET"],
        name="listexecutions",
    )

    async def getexecution(request: Request) -> Response:
        """Retrieve a workflow execution"""
        id_project = path_value(request, "id_project")
        id_domain = path_value(request, "id_domain")
        id_name = path_value(request, "id_name")
        upstream = await upstreams.admin_executions.getexecution(
            id_project=id_project,
            id_domain=id_domain,
            id_name=id_name,
            extra_query=passthrough_query(request, []),
        )
        return passthrough(upstream)

    app.add_route(
        "/v1/api/v1/executions/{id_project}/{id_domain}/{id_name}",
        getexecution,
        methods=["GET"],
        name="getexecution",
    )

    async def terminateexecution(request: Request) -> Response:
        """Terminate a workflow execution"""
        id_project = path_value(request, "id_project")
        id_domain = path_value(request, "id_domain")
        id_name = path_value(request, "id_name")
        upstream = await upstreams.admin_executions.terminateexecution(
            id_project=id_project,
            id_domain=id_domain,
            id_name=id_name,
            extra_query=passthrough_query(request, []),
            body=await json_body(request, required=False),
        )
        return passthrough(upstream)

    app.add_route(
        "/v1/api/v1/executions/{id_project}/{id_domain}/{id_name}",
        terminateexecution,
        methods=["DELETE"],
        name="terminateexecution",
    )

    async def getexecutionmetrics(request: Request) -> Response:
        """Retrieve execution metrics"""
        id_project = path_value(request, "id_project")
        id_domain = path_value(request, "id_domain")
        id_name = path_value(request, "id_name")
        upstream = await upstreams.admin_executions.getexecutionmetrics(
            id_project=id_project,
            id_domain=id_domain,
            id_name=id_name,
            extra_query=passthrough_query(request, []),
        )
        return passthrough(upstream)

    app.add_route(
        "/v1/api/v1/metrics/executions/{id_project}/{id_domain}/{id_name}",
        getexecutionmetrics,
        methods=["GET"],
        name="getexecutionmetrics",
    )

    guard_requests(
        app, settings, settings.rest_host, ENV_PREFIX, "rest", authenticated=False
    )
    return app
