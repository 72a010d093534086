"""The aiohttp-backed transport (fast_transport) against a real loopback server: bytes sent
as httpx encoded them, no redirect followed, bodies decoded once, failures as httpx's."""

from __future__ import annotations

import asyncio
import gzip
import json

import httpx
import pytest

from naftiko_codegen.runtime import fast_transport
from naftiko_codegen.runtime.fast_transport import (
    AiohttpTransport,
    ConnectionPool,
    pooled_transport,
)

from .loopback import Answer, response, upstream


async def echo(head: bytes, body: bytes) -> bytes:
    request_line, *header_lines = head.decode().strip().split("\r\n")
    seen = {
        "line": request_line,
        "headers": [line.split(":", 1)[0].lower() for line in header_lines],
        "body": body.decode(),
    }
    return response(json.dumps(seen).encode(), "content-type: application/json")


def call(answer: Answer, method: str, path: str, **options: object) -> httpx.Response:
    async def go() -> httpx.Response:
        async with upstream(answer) as url:
            transport = AiohttpTransport(ConnectionPool(4))
            async with httpx.AsyncClient(base_url=url, transport=transport) as client:
                return await client.request(method, path, **options)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_the_path_is_sent_as_httpx_encoded_it() -> None:
    seen = call(echo, "GET", "/items/a%2Fb", params={"q": "x y"}).json()
    assert seen["line"] == "GET /items/a%2Fb?q=x+y HTTP/1.1"


def test_a_body_is_sent_once_framed_by_its_length() -> None:
    seen = call(echo, "POST", "/items", content=b'{"a": 1}').json()
    assert seen["body"] == '{"a": 1}'
    assert seen["headers"].count("content-length") == 1
    assert "transfer-encoding" not in seen["headers"]


def test_redirects_are_answers_not_followed() -> None:
    async def redirect(head: bytes, body: bytes) -> bytes:
        return response(b"", "location: /elsewhere", status="302 Found")

    answer = call(redirect, "GET", "/items")
    assert answer.status_code == 302
    assert answer.headers["location"] == "/elsewhere"


def test_a_compressed_body_is_decoded_once() -> None:
    async def compressed(head: bytes, body: bytes) -> bytes:
        return response(gzip.compress(b'{"ok": true}'), "content-encoding: gzip")

    assert call(compressed, "GET", "/items").json() == {"ok": True}


def test_connections_are_kept_alive_and_reused() -> None:
    ports: set[int] = set()

    async def go() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            ports.add(writer.get_extra_info("peername")[1])
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(response(b"{}"))
                await writer.drain()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with (
            server,
            httpx.AsyncClient(base_url=url, transport=AiohttpTransport(ConnectionPool(4))) as c,
        ):
            for _ in range(5):
                assert (await c.get("/")).status_code == 200

    asyncio.run(go())
    assert len(ports) == 1


def test_a_refused_connection_is_a_connect_error() -> None:
    async def go() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with httpx.AsyncClient(transport=AiohttpTransport(ConnectionPool(4))) as client:
            await client.get(f"http://127.0.0.1:{port}/")

    with pytest.raises(httpx.ConnectError):
        asyncio.run(go())


def test_an_upstream_that_does_not_answer_is_a_read_timeout() -> None:
    async def silent(head: bytes, body: bytes) -> bytes:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    with pytest.raises(httpx.ReadTimeout):
        call(silent, "GET", "/", timeout=httpx.Timeout(0.2))


def test_without_aiohttp_the_pool_is_httpx_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_transport, "aiohttp", None)
    transport = pooled_transport(7)
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    assert transport._pool._max_connections == 7
    assert transport._pool._max_keepalive_connections == 7


def test_a_dropped_kept_alive_connection_is_not_retried() -> None:
    """httpx never resends a request behind the caller's back; neither does this pool."""
    seen: list[bytes] = []

    async def go() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while head := await reader.readuntil(b"\r\n\r\n"):
                seen.append(head)
                if len(seen) == 1:
                    writer.write(response(b"{}"))
                    await writer.drain()
                else:  # the second request on the kept-alive connection: dropped
                    writer.close()
                    return

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with (
            server,
            httpx.AsyncClient(base_url=url, transport=AiohttpTransport(ConnectionPool(4))) as c,
        ):
            assert (await c.get("/")).status_code == 200
            with pytest.raises(httpx.HTTPError):
                await c.get("/")

    asyncio.run(go())
    assert len(seen) == 2
