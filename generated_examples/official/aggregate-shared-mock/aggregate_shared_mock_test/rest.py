"""REST adapter `greeting-rest`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from importlib import resources
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from .config import Settings, load_settings
from .errors import InputError, UpstreamError
from .http_app import problem_response, routing_path
from .http_inputs import query_input
from .upstream import Upstreams
from .values import as_string
from .wire import to_text

OPENAPI: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("rest_openapi.json").read_text("utf-8")
)
"""The OpenAPI document, in the capability's own names and descriptions."""


class CapabilityApp(FastAPI):
    """FastAPI serving the capability's own OpenAPI document (at ``/openapi.json``); routes
    match the raw request path, so an encoded ``/`` in a value stays in that value."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["path"] = routing_path(scope)
        await super().__call__(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document, written at build time from the capability."""
        return OPENAPI


def create_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> CapabilityApp:
    """Build the application (``uvicorn --factory aggregate_shared_mock_test.rest:create_app``)."""
    settings = settings or load_settings()
    upstreams = Upstreams.open(settings, transport)

    @asynccontextmanager
    async def lifespan(app: CapabilityApp) -> AsyncIterator[None]:
        async with upstreams:
            yield

    app = CapabilityApp(
        title="Aggregate Shared Mock Test",
        description="Shared aggregate mock function consumed by MCP and REST refs",
        version="1.0.0",
        lifespan=lifespan,
    )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(
        request: Request, error: StarletteHTTPException
    ) -> JSONResponse:
        return problem_response(
            error.status_code, HTTPStatus(error.status_code).phrase, str(error.detail)
        )

    @app.exception_handler(InputError)
    async def invalid_input(request: Request, error: InputError) -> JSONResponse:
        return problem_response(
            error.status,
            "Invalid input" if error.status == 422 else "Bad request",
            error.message,
            field=error.field,
            location=error.location,
        )

    @app.exception_handler(UpstreamError)
    async def upstream_failed(request: Request, error: UpstreamError) -> JSONResponse:
        return problem_response(
            error.status,
            error.title,
            error.detail,
            upstream=f"{error.namespace}.{error.operation}",
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

    return app
