"""The adapter's plain routes served directly (direct_routes): every request answered as
the framework's own router would answer it, and what it cannot serve alike left to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from naftiko_codegen.runtime.direct_routes import DirectRoutes
from naftiko_codegen.runtime.errors import InputError
from naftiko_codegen.runtime.http_app import CapabilityApp

DOCUMENT = {"openapi": "3.1.0", "info": {"title": "Items", "version": "1.0.0"}, "paths": {}}


@asynccontextmanager
async def nothing() -> AsyncIterator[None]:
    yield


async def item(request: Request) -> Response:
    return JSONResponse({"id": request.path_params["id"], "via": "plain"})


async def invalid(request: Request) -> Response:
    raise InputError("limit", "query", "expected integer")


async def broken(request: Request) -> Response:
    raise RuntimeError("unexpected")


def build(app: FastAPI, shadowed: bool = False) -> FastAPI:
    if shadowed:  # a FastAPI route of the same path, registered first, wins

        @app.api_route("/items/{id}", methods=["GET"])
        async def shadow(id: str) -> dict[str, str]:
            return {"id": id, "via": "api_route"}

    app.add_route("/items/{id}", item, methods=["GET"])
    app.add_route("/items/{id}", item, methods=["DELETE"])
    app.add_route("/invalid", invalid, methods=["GET"])
    app.add_route("/broken", broken, methods=["GET"])
    return app


def capability_app(shadowed: bool = False) -> FastAPI:
    return build(CapabilityApp(DOCUMENT, nothing(), title="Items"), shadowed)


REQUESTS = [
    ("GET", "/items/a"),
    ("HEAD", "/items/a"),
    ("DELETE", "/items/a"),
    ("POST", "/items/a"),  # 405 naming GET, HEAD and DELETE
    ("GET", "/items/a/"),  # no route: Starlette's answer for a trailing slash
    ("GET", "/nowhere"),
    ("GET", "/invalid"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
]


def answers(app: FastAPI, requests: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
    with TestClient(app, raise_server_exceptions=False) as client:
        found = []
        for method, path in requests:
            response = client.request(method, path, follow_redirects=False)
            headers = {k: v for k, v in response.headers.items() if k != "content-length"}
            found.append((method, path, response.status_code, headers, response.content))
        return found


def plain_stack(app: FastAPI) -> FastAPI:
    """``app`` with its plain routes left to the router (no :class:`DirectRoutes`)."""
    original = app.build_middleware_stack

    def without_direct_routes() -> Any:
        stack = original()
        layer = stack
        while not isinstance(getattr(layer, "app", None), DirectRoutes):
            layer = layer.app
        layer.app = layer.app.fallback
        return stack

    app.build_middleware_stack = without_direct_routes  # type: ignore[method-assign]
    return app


@pytest.mark.parametrize("shadowed", [False, True], ids=["plain", "shadowed"])
def test_every_request_is_answered_as_the_router_answers_it(shadowed: bool) -> None:
    direct = answers(capability_app(shadowed), REQUESTS)
    routed = answers(plain_stack(capability_app(shadowed)), REQUESTS)
    assert direct == routed
    statuses = {(method, path): status for method, path, status, _, _ in direct}
    assert statuses[("POST", "/items/a")] == 405
    assert statuses[("GET", "/invalid")] == 422
    assert statuses[("GET", "/docs")] == 200


def test_a_route_registered_first_keeps_precedence() -> None:
    with TestClient(capability_app(shadowed=True)) as client:
        assert client.get("/items/a").json() == {"id": "a", "via": "api_route"}
    with TestClient(capability_app()) as client:
        assert client.get("/items/a").json() == {"id": "a", "via": "plain"}


def test_only_leading_plain_async_routes_are_served_directly() -> None:
    def sync_endpoint(request: Request) -> Response:
        return Response("sync")

    routes = [
        Route("/a", item),
        Route("/b", sync_endpoint),  # Starlette runs it in a thread: left to the router
        Route("/c", item),
    ]
    direct = DirectRoutes(routes, {}, fallback=FastAPI())
    assert [route.path for _, route in direct.routes] == ["/a"]


def test_under_a_root_path_every_route_is_asked() -> None:
    with TestClient(capability_app(), root_path="/api") as client:
        assert client.get("/api/items/a").json() == {"id": "a", "via": "plain"}


def test_an_unexpected_failure_is_left_to_the_guard() -> None:
    with TestClient(capability_app(), raise_server_exceptions=False) as client:
        response = client.get("/broken")
    assert response.status_code == 500
