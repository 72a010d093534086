"""An exchange sent the direct way (straight onto aiohttp's pool) and the httpx way (a
transport given, an authentication flow): the same bytes reach the upstream, and the same
answers and failures come back."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from naftiko_codegen.runtime.errors import InputError, UpstreamError
from naftiko_codegen.runtime.exchange import UpstreamResponse
from naftiko_codegen.runtime.fast_transport import pooled_transport
from naftiko_codegen.runtime.upstream_client import UpstreamClient

from .loopback import Answer, Limits, response, upstream


class Api(UpstreamClient):
    namespace = "api"
    credential_query = "key"


WAYS = ["direct", "httpx"]
LIMITS = Limits()


async def echo(head: bytes, body: bytes) -> bytes:
    request_line, *lines = head.decode("latin-1").strip().split("\r\n")
    headers = [line.split(":", 1) for line in lines]
    seen = {
        "line": request_line,
        "headers": {name.lower(): value.strip() for name, value in headers},
        "body": body.decode(),
    }
    return response(json.dumps(seen).encode(), "content-type: application/json")


def send(
    way: str,
    answer: Answer,
    *,
    base: str = "",
    limits: Limits = LIMITS,
    **call: Any,
) -> UpstreamResponse:
    """One ``_send`` of an :class:`Api` client (key ``k`` in the query) the given way."""

    async def go() -> UpstreamResponse:
        async with upstream(answer) as url:
            transport = pooled_transport(4) if way == "httpx" else None
            client = Api(url + base, limits, transport, params={"key": "k"})
            assert (client._pool is not None) == (way == "direct")
            async with client:
                call.setdefault("query", [])
                call.setdefault("headers", {})
                return await client._send("op", call.pop("method", "GET"), **call)

    return asyncio.run(go())


def seen_by_upstream(way: str, **call: Any) -> dict[str, Any]:
    answer = send(way, echo, **call)
    seen: dict[str, Any] = answer.json()
    return seen


@pytest.mark.parametrize("way", WAYS)
def test_the_request_target_keeps_the_query_order(way: str) -> None:
    seen = seen_by_upstream(
        way,
        base="/base",
        path="/items/a%2Fb",
        query=[("b", "1"), ("a", "x y"), ("b", "2"), ("key", "caller's")],
    )
    assert seen["line"] == "GET /base/items/a%2Fb?key=k&b=1&a=x+y&b=2 HTTP/1.1"


@pytest.mark.parametrize("way", WAYS)
def test_a_literal_path_is_encoded_where_no_url_may_hold_it(way: str) -> None:
    seen = seen_by_upstream(way, path="/café menu/100%/%41?fixed=1", query=[("q", "é")])
    assert seen["line"] == "GET /caf%C3%A9%20menu/100%25/%41?fixed=1&key=k&q=%C3%A9 HTTP/1.1"


@pytest.mark.parametrize("way", WAYS)
def test_headers_and_body_reach_the_upstream(way: str) -> None:
    seen = seen_by_upstream(
        way,
        method="POST",
        path="/items",
        headers={"X-Trace": "t1", "Accept": "application/json"},
        body=b'{"a":1}',
    )
    assert seen["body"] == '{"a":1}'
    headers = seen["headers"]
    assert headers["x-trace"] == "t1"
    assert headers["accept"] == "application/json"  # the caller's, not the default
    assert headers["content-type"] == "application/json"
    assert headers["content-length"] == "7"
    assert {"host", "accept", "accept-encoding", "user-agent"} <= set(headers)


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "call",
    [
        {"path": "/items", "headers": {"X-Name": "café"}},
        {"path": "/items", "query": [("q", "x" * 70_000)]},
    ],
    ids=["non-ascii-header", "url-too-long"],
)
def test_what_no_request_can_carry_is_an_input_error(way: str, call: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="cannot be sent upstream"):
        send(way, echo, **call)


@pytest.mark.parametrize("way", WAYS)
def test_an_answer_is_decoded_with_its_safe_headers(way: str) -> None:
    async def compressed(head: bytes, body: bytes) -> bytes:
        return response(
            gzip.compress(b'{"ok": true}'),
            "content-encoding: gzip",
            "content-type: application/json",
            "etag: abc",
            "set-cookie: s=1",
        )

    answer = send(way, compressed, path="/items")
    assert (answer.status, answer.json()) == (200, {"ok": True})
    assert answer.headers == (("etag", "abc"),)


@pytest.mark.parametrize("way", WAYS)
def test_header_bytes_beyond_ascii_are_passed_on_unchanged(way: str) -> None:
    raw = 'attachment; filename="café.txt"'.encode()

    async def disposition(head: bytes, body: bytes) -> bytes:
        head_end = b"content-disposition: " + raw
        return response(b"{}", "content-type: application/json").replace(
            b"\r\n\r\n", b"\r\n" + head_end + b"\r\n\r\n", 1
        )

    answer = send(way, disposition, path="/items")
    ((name, value),) = answer.headers
    assert (name, value.encode("latin-1")) == ("content-disposition", raw)


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(("method", "status"), [("HEAD", "200 OK"), ("GET", "204 No Content")])
def test_an_answer_without_a_body_is_empty_whatever_its_length_says(
    way: str, method: str, status: str
) -> None:
    async def bodiless(head: bytes, body: bytes) -> bytes:
        return f"HTTP/1.1 {status}\r\ncontent-length: 10\r\n\r\n".encode()

    answer = send(way, bodiless, method=method, path="/items")
    assert (answer.status, answer.content) == (int(status[:3]), b"")


def chunked(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (
        len(body),
        body,
    )


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "answer",
    [
        # refused on its declared length, before the 10 bytes sent are read
        b"HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n" + b"x" * 10,
        chunked(b"x" * 2000),  # no length declared: counted as it comes
        response(gzip.compress(b"x" * 2000), "content-encoding: gzip"),  # counted inflated
    ],
    ids=["declared", "chunked", "inflated"],
)
def test_an_answer_over_the_limit_is_a_502(way: str, answer: bytes) -> None:
    async def large(head: bytes, body: bytes) -> bytes:
        return answer

    with pytest.raises(UpstreamError) as failure:
        send(way, large, path="/items")
    assert failure.value.status == 502
    assert "1000-byte limit" in failure.value.detail


@pytest.mark.parametrize("way", WAYS)
def test_an_upstream_that_does_not_answer_is_a_504(way: str) -> None:
    async def silent(head: bytes, body: bytes) -> bytes:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    with pytest.raises(UpstreamError) as failure:
        send(way, silent, path="/items")
    assert failure.value.status == 504


Handle = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def send_raw(way: str, handle: Handle, limits: Limits = LIMITS) -> None:
    """One GET the given way to a server whose connections ``handle`` serves."""

    async def go() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        transport = pooled_transport(4) if way == "httpx" else None
        async with server, Api(url, limits, transport) as client:
            await client._send("op", "GET", "/items", [], {})

    asyncio.run(go())


@pytest.mark.parametrize("way", WAYS)
def test_an_upstream_that_keeps_trickling_is_cut_at_the_deadline(way: str) -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
        for _ in range(100):  # a byte every 0.1 s: each read in time, the whole not
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.1)

    with pytest.raises(UpstreamError) as failure:
        send_raw(way, trickle, Limits(total_timeout=0.6))
    assert failure.value.status == 504
    assert "within 0.6 s" in failure.value.detail


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("encoding", ["", "content-encoding: gzip"])
def test_an_answer_cut_short_is_a_502(way: str, encoding: str) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        lines = ["HTTP/1.1 200 OK", "content-length: 100", *([encoding] if encoding else [])]
        head = "\r\n".join(lines) + "\r\n\r\n"
        writer.write(head.encode() + gzip.compress(b"x" * 500)[:10])
        await writer.drain()
        writer.close()

    with pytest.raises(UpstreamError) as failure:
        send_raw(way, cut)
    assert failure.value.status == 502
    assert failure.value.detail.startswith("the upstream connection failed")


@pytest.mark.parametrize("way", WAYS)
def test_a_refused_connection_is_a_502_naming_it(way: str) -> None:
    async def go() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        transport = pooled_transport(4) if way == "httpx" else None
        async with Api(f"http://127.0.0.1:{port}", Limits(), transport) as client:
            await client._send("op", "GET", "/items", [], {})

    with pytest.raises(UpstreamError) as failure:
        asyncio.run(go())
    assert failure.value.status == 502
    assert failure.value.detail == "the upstream API could not be reached (ConnectError)"


def test_an_authentication_flow_or_event_hooks_go_the_httpx_way() -> None:
    digest = Api("http://up.test", Limits(), None, auth=httpx.DigestAuth("u", "p"))
    hooked = Api("http://up.test", Limits(), None, event_hooks={"request": [print]})
    plain = Api("http://up.test", Limits(), None, headers={"Authorization": "Bearer t"})
    assert digest._pool is None and hooked._pool is None
    assert plain._pool is not None
    assert plain._pool is not None
    assert plain._pool.headers["authorization"] == "Bearer t"
