"""Every request a REST adapter serves, recorded under the name of its route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .recording import Recording


def record_requests(app: FastAPI, adapter: str, recording: Recording) -> None:
    """Time every request ``app`` serves and hand it to ``recording``, named by its route
    (``unmatched`` when no route matched)."""
    names: dict[object, str] = {}

    @app.middleware("http")
    async def record(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = recording.start(request.headers)
        response = await call_next(request)
        if not names:
            # The router records the matched endpoint in the scope (FastAPI does not
            # record plain Starlette routes there), so operations are named by endpoint.
            names.update(
                {
                    route.endpoint: route.name
                    for route in app.routes
                    if isinstance(route, Route)
                }
            )
        operation = names.get(request.scope.get("endpoint"), "unmatched")
        status = response.status_code
        recording.finish(
            started, adapter, operation, failed=status >= 400, http_status=status
        )
        return response
