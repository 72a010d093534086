"""REST adapter `greeting-rest`."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse, Response

from .config import ENV_PREFIX, Settings, load_settings
from .http_app import CapabilityApp
from .http_inputs import query_input
from .request_guard import guard_requests
from .upstream import Upstreams
from .values import as_string
from .wire import to_text

OPENAPI: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("rest_openapi.json").read_text("utf-8")
)
"""The OpenAPI document, in the capability's own names and descriptions."""


def create_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> CapabilityApp:
    """Build the application (``uvicorn --factory aggregate_shared_mock_test.rest:create_app``)."""
    settings = settings or load_settings()
    upstreams = Upstreams.open(settings, transport)
    app = CapabilityApp(
        OPENAPI,
        upstreams,
        title="Aggregate Shared Mock Test",
        description="Shared aggregate mock function consumed by MCP and REST refs",
        version="1.0.0",
    )

    async def hello(request: Request) -> Response:
        """Builds a greeting payload from input parameters."""
        name = query_input(request, "name", "string", required=False)
        return JSONResponse(
            {
                "message": as_string("Hello, " + to_text(name) + "!"),
                "source": as_string("aggregate-mock"),
            }
        )

    app.add_route("/hello", hello, methods=["GET"], name="hello")

    guard_requests(
        app, settings, settings.rest_host, ENV_PREFIX, "rest", authenticated=False
    )
    return app
