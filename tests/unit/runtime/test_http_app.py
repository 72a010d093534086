"""The REST application shell and forwards (http_app.CapabilityApp, http_forward) and the
control port's reachability check (health)."""

from __future__ import annotations

import asyncio
import json
import socket
from types import TracebackType
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.testclient import TestClient

from naftiko_codegen.runtime.errors import InputError, StepFailed, UpstreamError
from naftiko_codegen.runtime.health import reachable
from naftiko_codegen.runtime.http_app import CapabilityApp
from naftiko_codegen.runtime.http_forward import forward_path, trusted_headers

from .conftest import make_request

DOCUMENT = {"openapi": "3.1.0", "info": {"title": "Items", "version": "1.0.0"}, "paths": {}}


class Clients:
    """Stands for the generated ``Upstreams``: records being opened and closed."""

    def __init__(self) -> None:
        self.events: list[str] = []

    async def __aenter__(self) -> Clients:
        self.events.append("open")
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.events.append("close")


def make_app(clients: Clients) -> CapabilityApp:
    app = CapabilityApp(DOCUMENT, clients, title="Items", version="1.0.0")
    failures: dict[str, Exception] = {
        "input": InputError("limit", "query", "expected integer, got 'x'"),
        "body": InputError("body", "body", "the request body is not valid JSON", 400),
        "step-404": StepFailed("fetch", "gone", 404),
        "step-500": StepFailed("fetch", "broken", 500),
        "timeout": UpstreamError("api", "get", 504, "Upstream timeout", "too slow"),
    }

    async def item(request: Request) -> Response:
        return JSONResponse({"id": request.path_params["id"]})

    async def fail(request: Request) -> Response:
        raise failures[request.path_params["kind"]]

    app.add_route("/items/{id}", item, methods=["GET"])
    app.add_route("/fail/{kind}", fail, methods=["GET"])
    return app


def problem(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = json.loads(response.content)
    return document


def test_the_app_opens_its_clients_with_its_lifespan_and_serves_its_openapi() -> None:
    clients = Clients()
    with TestClient(make_app(clients)) as client:
        assert clients.events == ["open"]
        assert client.get("/openapi.json").json() == DOCUMENT
        assert client.get("/items/a%2Fb").json() == {"id": "a%2Fb"}  # one segment
    assert clients.events == ["open", "close"]


@pytest.mark.parametrize(
    ("path", "status", "fields"),
    [
        ("/nowhere", 404, {"title": "Not Found"}),
        ("/fail/input", 422, {"title": "Invalid input", "field": "limit", "location": "query"}),
        ("/fail/body", 400, {"title": "Bad request", "field": "body"}),
        ("/fail/step-404", 404, {"title": "Step failed", "step": "fetch"}),
        ("/fail/step-500", 502, {"title": "Step failed", "step": "fetch"}),
        ("/fail/timeout", 504, {"title": "Upstream timeout", "upstream": "api.get"}),
    ],
)
def test_every_error_is_a_problem_document(path: str, status: int, fields: dict[str, str]) -> None:
    with TestClient(make_app(Clients())) as client:
        response = client.get(path)
    assert response.status_code == status
    document = problem(response)
    assert document["status"] == status
    assert fields.items() <= document.items()


@pytest.mark.parametrize(
    ("rest", "path"),
    [("a/b c", "/a/b%20c"), ("x%2Fy/z", "/x%2Fy/z"), ("", "/")],
)
def test_forwarded_paths_are_encoded_again(rest: str, path: str) -> None:
    assert forward_path(rest) == path


@pytest.mark.parametrize("rest", ["a/../b", "..", "a/%2E%2E/b", "a%2F..%2Fb", "./x"])
def test_dot_segments_are_never_forwarded(rest: str) -> None:
    with pytest.raises(InputError) as raised:
        forward_path(rest)
    assert raised.value.status == 400


def test_only_trusted_headers_and_the_content_type_are_forwarded() -> None:
    request = make_request(
        headers={"X-Tenant": "t", "Authorization": "Bearer s", "Content-Type": "a/b", "Cookie": "c"}
    )
    assert trusted_headers(request, ("x-tenant",)) == {"x-tenant": "t", "content-type": "a/b"}


def test_reachable_opens_a_connection_within_the_timeout() -> None:
    async def check() -> tuple[bool, bool]:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            up = await reachable(f"http://127.0.0.1:{port}/api", 2.0)
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        down = await reachable(f"http://127.0.0.1:{closed}", 2.0)
        return up, down

    assert asyncio.run(check()) == (True, False)
