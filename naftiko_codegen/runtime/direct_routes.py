"""The REST adapter's own routes served straight from the request guard, without the
framework's per-request layers.

Starlette and FastAPI pass every request through an exception middleware, an exit stack,
the router, the route and two wrappers around ``send``: about a fifth of the CPU of each
proxied call, side by side (benchmarks/README.md, section rest). :class:`DirectRoutes`
takes the same decision as Starlette's router for the routes it can serve alike (plain
``Route`` objects with ``async`` endpoints, the adapter's own and the documentation's),
calls the endpoint and answers its exceptions with the application's handlers. Any
other request (no route matched, a wrong method, a route of another kind) goes through
the full application, which answers it as it always would.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

Handler = Callable[[Request, Exception], Any]
"""An exception handler: ``await handler(request, error)`` gives the response."""


class DirectRoutes:
    """ASGI app: serve a request that one of the leading plain routes of ``routes``
    matches in full, as Starlette would; hand everything else to ``fallback``."""

    def __init__(
        self,
        routes: Iterable[BaseRoute],
        handlers: Mapping[Any, Handler],
        fallback: ASGIApp,
    ) -> None:
        self.routes = [
            (route.path_format.split("{", 1)[0], route)
            for route in _leading_plain_routes(routes)
        ]
        self.handlers: dict[Any, Handler] = dict(handlers)
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve ``scope`` by the first route that matches it in full, else fall back."""
        if scope["type"] == "http":
            # a route whose literal beginning the path lacks cannot match (with a root
            # path, Starlette matches what follows it: every route is asked then)
            path = None if scope.get("root_path") else scope["path"]
            for prefix, route in self.routes:
                if path is not None and not path.startswith(prefix):
                    continue
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.update(child_scope)
                    await self._respond(route, scope, receive, send)
                    return
        await self.fallback(scope, receive, send)

    async def _respond(
        self, route: Route, scope: Scope, receive: Receive, send: Send
    ) -> None:
        request = Request(scope, receive, send)
        try:
            response: Response = await route.endpoint(request)
        except Exception as error:
            handler = self._handler(error)
            if handler is None:
                raise
            if inspect.iscoroutinefunction(handler):
                response = await handler(request, error)
            else:
                response = await run_in_threadpool(handler, request, error)
        await response(scope, receive, send)

    def _handler(self, error: Exception) -> Handler | None:
        """The handler Starlette would pick: by status for an ``HTTPException``, else
        by the closest class."""
        if isinstance(error, HTTPException) and error.status_code in self.handlers:
            return self.handlers[error.status_code]
        for cls in type(error).__mro__:
            if cls in self.handlers:
                return self.handlers[cls]
        return None


def _leading_plain_routes(routes: Iterable[BaseRoute]) -> list[Route]:
    """The routes before the first one this module does not serve alike: from there on,
    the order of the router decides."""
    plain: list[Route] = []
    for route in routes:
        # exactly Route (FastAPI's APIRoute and mounts have their own machinery) with
        # an async endpoint (Starlette runs others in a thread); no route of the package
        # has route-level middleware, which this would skip
        if type(route) is not Route or not inspect.iscoroutinefunction(route.endpoint):
            break
        plain.append(route)
    return plain
