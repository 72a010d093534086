"""The HTTP side of a REST adapter: raw-path routing, problem answers, passthrough."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from .direct_routes import DirectRoutes
from .errors import InputError, StepFailed, UpstreamError, problem
from .exchange import UpstreamResponse

_ENCODED_SLASH = re.compile("%2[Ff]")


def routing_path(scope: Scope) -> str:
    """The request path as routes match it: decoded, except that an encoded ``/`` stays
    ``%2F`` (one segment, as GitLab's ``group%2Fproject`` ids are written) and ``%`` is
    written ``%25``, so that :func:`path_value` decodes every value exactly once."""
    raw = scope.get("raw_path")
    if not raw or b"%" not in raw:
        return str(scope["path"])  # nothing encoded: the server's decoded path is it
    text = raw.decode("utf-8", "replace").split("?", 1)[0]
    return "%2F".join(
        unquote(piece).replace("%", "%25") for piece in _ENCODED_SLASH.split(text)
    )


def path_value(request: Request, name: str) -> str:
    """The value of the path variable ``name``, decoded (``a%2Fb`` → ``a/b``)."""
    return unquote(request.path_params[name])


def passthrough(upstream: UpstreamResponse) -> Response:
    """The upstream answer, unchanged: status, content type (byte for byte, no charset
    added) and body."""
    response = Response(content=upstream.content, status_code=upstream.status)
    # written as raw headers: the content type exactly as the upstream sent it
    response.raw_headers = [
        (b"content-length", str(len(upstream.content)).encode("latin-1")),
        *(
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in upstream.headers
        ),
    ]
    if upstream.content_type:
        content_type = upstream.content_type.encode("latin-1")
        response.raw_headers.append((b"content-type", content_type))
    return response


def problem_response(
    status: int, title: str, detail: str, **extra: Any
) -> JSONResponse:
    """An ``application/problem+json`` response."""
    return JSONResponse(
        problem(status, title, detail, **extra),
        status_code=status,
        media_type="application/problem+json",
    )


def passthrough_query(
    request: Request, declared: Iterable[str]
) -> list[tuple[str, str]]:
    """The request's query pairs that no declared input consumes, in their original order."""
    if not request.scope.get("query_string"):
        return []
    consumed = set(declared)
    return [(k, v) for k, v in request.query_params.multi_items() if k not in consumed]


class CapabilityApp(FastAPI):
    """FastAPI serving the capability's own OpenAPI document (at ``/openapi.json``),
    opening and closing ``upstreams`` with its lifespan. Routes match the raw request path,
    so an encoded ``/`` in a value stays in that value; every error is answered with an
    ``application/problem+json`` document."""

    def __init__(
        self,
        openapi_document: dict[str, Any],
        upstreams: AbstractAsyncContextManager[Any],
        **settings: Any,
    ) -> None:
        self.openapi_document = openapi_document
        # whether FastAPI's own telemetry may trace requests: assumed until start-up tells
        self.native_telemetry = True

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            self.native_telemetry = _native_telemetry_enabled(self)
            async with upstreams:
                yield

        super().__init__(lifespan=lifespan, **settings)
        self.exception_handler(HTTPException)(http_error)
        self.exception_handler(InputError)(invalid_input)
        self.exception_handler(StepFailed)(step_failed)
        self.exception_handler(UpstreamError)(upstream_failed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a request, routed by its raw path (:func:`routing_path`)."""
        if scope["type"] == "http":
            scope["path"] = routing_path(scope)
            if not self.native_telemetry:
                # what FastAPI does for a request it does not trace, without asking
                # the telemetry providers again for every request
                if self.root_path:
                    scope["root_path"] = self.root_path
                await Starlette.__call__(self, scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document, written at build time from the capability."""
        return self.openapi_document

    def build_middleware_stack(self) -> ASGIApp:
        """FastAPI's stack without its own body limit and exception telemetry, which
        every request would pay for (the request guard, a user middleware, limits
        bodies; the package traces where the capability asks for it), and the plain
        routes served directly inside the guard (:class:`DirectRoutes`)."""
        handlers = dict(self.exception_handlers)
        error_handler = handlers.pop(500, None)
        error_handler = handlers.pop(Exception, None) or error_handler
        app: ASGIApp = AsyncExitStackMiddleware(self.router)
        app = ExceptionMiddleware(app, handlers=handlers, debug=self.debug)
        app = DirectRoutes(self.router.routes, handlers, fallback=app)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)


def _native_telemetry_enabled(app: FastAPI) -> bool:
    """Whether FastAPI's native telemetry (where the installed FastAPI has it) is set up
    to trace, asked once at start-up: a provider is configured before the app starts."""
    telemetry = getattr(app, "_native_telemetry", None)
    return telemetry is not None and bool(telemetry.enabled())


async def http_error(request: Request, error: HTTPException) -> JSONResponse:
    """An HTTP error of the framework (no route, wrong method) as a problem document; a
    405 names every method the path answers in ``Allow`` (RFC 9110)."""
    response = problem_response(
        error.status_code, HTTPStatus(error.status_code).phrase, str(error.detail)
    )
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    if error.status_code == 405:
        response.headers["allow"] = ", ".join(allowed_methods(request))
    return response


def allowed_methods(request: Request) -> list[str]:
    """The methods some route answers at the request's path (``HEAD`` with ``GET``)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


async def invalid_input(request: Request, error: InputError) -> JSONResponse:
    """A missing or invalid input: 422 (400 for a body that is not JSON), naming it."""
    return problem_response(
        error.status,
        "Invalid input" if error.status == 422 else "Bad request",
        error.message,
        field=error.field,
        location=error.location,
    )


async def step_failed(request: Request, error: StepFailed) -> JSONResponse:
    """A failed step of an orchestrated operation: its own 4xx, else 502."""
    return problem_response(
        error.status if 400 <= error.status < 500 else 502,
        "Step failed",
        f"step {error.step!r} failed, later steps were not run: {error.detail}",
        step=error.step,
    )


async def upstream_failed(request: Request, error: UpstreamError) -> JSONResponse:
    """An upstream that could not be reached (502) or did not answer in time (504)."""
    return problem_response(
        error.status,
        error.title,
        error.detail,
        upstream=f"{error.namespace}.{error.operation}",
    )
