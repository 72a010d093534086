"""One upstream exchange (naftiko_codegen/runtime/exchange.py): answers, limits, failures."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from naftiko_codegen.runtime.errors import UpstreamError
from naftiko_codegen.runtime.exchange import UpstreamResponse, exchange, upstream_message


def run(
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    max_bytes: int = 1000,
    deadline: float = 5.0,
) -> UpstreamResponse:
    async def go() -> UpstreamResponse:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            request = http.build_request("GET", "http://upstream.test/items")
            return await exchange(http, "api", "list", request, max_bytes, deadline)

    return asyncio.run(go())


def test_an_answer_is_read_with_its_status_type_and_safe_headers() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/vnd.x+json", "ETag": '"1"', "Set-Cookie": "s=1"}
        return httpx.Response(404, headers=headers, content=b'{"message": "no such item"}')

    upstream = run(handler)
    assert (upstream.namespace, upstream.operation, upstream.status) == ("api", "list", 404)
    assert upstream.is_error and upstream.is_json
    assert upstream.json() == {"message": "no such item"}
    assert upstream.headers == (("etag", '"1"'),)  # never cookies or hop-by-hop headers


def test_an_answer_over_the_size_limit_is_a_502() -> None:
    with pytest.raises(UpstreamError) as raised:
        run(lambda request: httpx.Response(200, content=b"x" * 1001))
    assert (raised.value.status, raised.value.title) == (502, "Upstream response too large")
    assert run(lambda request: httpx.Response(200, content=b"x" * 1000)).content == b"x" * 1000


@pytest.mark.parametrize(
    ("failure", "status"),
    [(httpx.ConnectError("refused"), 502), (httpx.ReadTimeout("slow"), 504)],
)
def test_connection_failures_and_timeouts_are_named(failure: Exception, status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(UpstreamError) as raised:
        run(handler)
    assert raised.value.status == status
    assert (raised.value.namespace, raised.value.operation) == ("api", "list")
    assert str(raised.value).startswith("api.list: ")


def test_an_upstream_that_keeps_trickling_is_cut_at_the_deadline() -> None:
    class Trickle(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"first"
            await asyncio.Event().wait()  # never set: the next chunk never comes
            yield b"never"

    with pytest.raises(UpstreamError) as raised:
        run(lambda request: httpx.Response(200, stream=Trickle()), deadline=0.05)
    assert raised.value.status == 504
    assert "within 0.05 s" in raised.value.detail


def response(content: bytes, content_type: str = "application/json") -> UpstreamResponse:
    return UpstreamResponse("api", "get", 500, content_type, content)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"message": "broken"}, "broken"),
        ({"error": "bad key"}, "bad key"),
        ({"detail": "gone"}, "gone"),
        ({"other": 1}, '{"other": 1}'),
    ],
)
def test_upstream_message_prefers_the_upstream_error_text(body: object, detail: str) -> None:
    message = upstream_message(response(json.dumps(body).encode()))
    assert message == f"api.get failed: upstream answered HTTP 500: {detail}"


def test_upstream_message_of_text_is_cut_at_the_limit() -> None:
    message = upstream_message(response(b"x" * 50, "text/plain"), limit=10)
    assert message.endswith(": " + "x" * 10 + "…")
    assert upstream_message(response(b"")) == "api.get failed: upstream answered HTTP 500"


def test_text_replaces_undecodable_bytes() -> None:
    assert response(b"caf\xe9").text() == "caf\ufffd"
    assert not response(b"{}", "text/json; charset=utf-8").is_json
    assert response(b"{}", "Application/JSON; charset=utf-8").is_json
