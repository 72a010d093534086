"""Limits, Host/Origin checks and unexpected failures in front of every adapter
(naftiko_codegen/runtime/json_limits.py, request_guard.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from naftiko_codegen.runtime.env_settings import ConfigError, SettingsReader, is_loopback
from naftiko_codegen.runtime.json_limits import Limits
from naftiko_codegen.runtime.request_guard import RequestGuard

LIMITS = Limits(max_body_bytes=1000, max_json_depth=4, max_string_length=10, env_prefix="P_")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"[[[[1]]]]", None),
        (b"[[[[[1]]]]]", "nested deeper than 4 levels (setting P_MAX_JSON_DEPTH)"),
        (b'{"a": {"b": [{"c": [1]}]}}', "nested deeper than 4"),
        (b'["[[[[[[", "]]]"]', None),  # brackets inside strings do not count
        (b'["\\"[[[[[[[["]', None),
        (b'["0123456789"]', None),
        (b'["0123456789x"]', "longer than 10 characters (setting P_MAX_STRING_LENGTH)"),
        (b'{"0123456789x": 1}', "longer than 10 characters"),
        ('["ééééééééééé"]'.encode(), "longer than 10 characters"),
        ('["éééééééééé"]'.encode(), None),  # characters, not bytes
        (b"not json [[[[[[[[", None),  # not JSON: left to the parser
        (b"", None),
        (b"[" * 100_000, "nested deeper"),
        (b'["unterminated', None),
    ],
)
def test_json_bodies_are_judged_on_their_bytes(body: bytes, problem: str | None) -> None:
    found = LIMITS.json_problem(body)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def crash(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("internal detail s3cr3t")


def call(app: Any, method: str = "POST", url: str = "/x", **options: Any) -> httpx.Response:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a.test") as client:
            return await client.request(method, url, **options)

    return asyncio.run(main())


@pytest.mark.parametrize("protocol", ["rest", "mcp"])
def test_limits_answer_in_each_adapters_language(protocol: Any) -> None:
    guard = RequestGuard(echo, limits=LIMITS, protocol=protocol)
    assert call(guard, content=b"[[1]]").content == b"[[1]]"
    too_large = call(guard, content=b"x" * 1001)
    deep = call(guard, content=b"[[[[[1]]]]]")
    long_query = call(guard, "GET", "/x?q=" + "y" * 11)
    assert (too_large.status_code, deep.status_code, long_query.status_code) == (413, 400, 414)
    for response in (too_large, deep, long_query):
        document = response.json()
        if protocol == "rest":
            assert response.headers["content-type"] == "application/problem+json"
            assert "P_MAX_" in document["detail"]
        else:
            assert document["jsonrpc"] == "2.0" and document["id"] is None
            assert "P_MAX_" in document["error"]["message"]


def test_a_streamed_body_is_cut_at_the_limit() -> None:
    guard = RequestGuard(echo, limits=LIMITS, protocol="rest")

    async def chunks() -> Any:
        for _ in range(20):
            yield b"x" * 100

    assert call(guard, content=chunks()).status_code == 413


def test_an_unexpected_failure_is_logged_once_and_answered_without_internals(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        rest = call(RequestGuard(crash, limits=LIMITS, protocol="rest"))
        mcp = call(RequestGuard(crash, limits=LIMITS, protocol="mcp"))
    assert (rest.status_code, mcp.status_code) == (500, 500)
    assert "s3cr3t" not in rest.text + mcp.text
    assert "RuntimeError" not in rest.text + mcp.text
    mcp_id = re.findall(r"request ([0-9a-f]{16})", mcp.json()["error"]["message"])
    ids = [rest.json()["request_id"], *mcp_id]
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage().split()[1].rstrip(":") for record in failures] == ids
    assert all(record.exc_info for record in failures)
    assert "cancelled" not in caplog.text


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"host": "api.example.com"}, 200),
        ({"host": "api.example.com:8443"}, 200),
        ({"host": "evil.example"}, 421),
        ({"host": "api.example.com", "origin": "https://app.example.com"}, 200),
        ({"host": "api.example.com", "origin": "https://evil.example"}, 403),
    ],
)
def test_hosts_and_origins_are_checked_when_configured(
    headers: dict[str, str], status: int
) -> None:
    guard = RequestGuard(
        echo,
        limits=LIMITS,
        protocol="mcp",
        allowed_hosts=["api.example.com"],
        allowed_origins=["https://app.example.com"],
        env_prefix="P_",
    )
    response = call(guard, headers=headers, content=b"{}")
    assert response.status_code == status
    if status != 200:
        assert "P_ALLOWED_" in json.dumps(response.json())


def test_loopback_addresses() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "::1", "[::1]", "localhost", "127.1.2.3"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "10.0.0.1", "example.com"]))


def test_listening_beyond_loopback_requires_allowed_hosts() -> None:
    env = SettingsReader({"P_ALLOWED_HOSTS": " a.test , ,b.test:80"}, "P_")
    assert env.names("ALLOWED_HOSTS") == ("a.test", "b.test:80")
    env.require_allowed_hosts({"MCP_HOST": "0.0.0.0"}, env.names("ALLOWED_HOSTS"))
    env.check()
    env = SettingsReader({}, "P_")
    env.require_allowed_hosts({"REST_HOST": "127.0.0.1", "MCP_HOST": "0.0.0.0"}, ())
    with pytest.raises(ConfigError) as raised:
        env.check()
    assert "P_MCP_HOST=0.0.0.0 listens beyond this machine: set P_ALLOWED_HOSTS" in str(
        raised.value
    )
    assert "REST_HOST" not in str(raised.value)


def test_limits_must_be_positive() -> None:
    env = SettingsReader({"P_MAX_BODY_BYTES": "0"}, "P_")
    assert env.limit("MAX_JSON_DEPTH", 64) == 64
    env.limit("MAX_BODY_BYTES", 10)
    with pytest.raises(ConfigError, match="P_MAX_BODY_BYTES must be at least 1"):
        env.check()


def serve_rest(app: Any, receive: Receive) -> list[dict[str, Any]]:
    """Run one REST request through a guard around ``app``; what it sent."""
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/slow", "headers": []}
    guard = RequestGuard(app, limits=LIMITS, protocol="rest")
    asyncio.run(asyncio.wait_for(guard(scope, receive, send), timeout=10))
    return sent


def test_a_request_whose_client_leaves_is_cancelled_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cancelled: list[bool] = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> Any:
        if messages:
            return messages.pop()
        await asyncio.sleep(0.2)  # the client goes away while the upstream is slow
        return {"type": "http.disconnect"}

    async def slow_upstream(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    with caplog.at_level(logging.INFO):
        sent = serve_rest(slow_upstream, receive)
    assert cancelled == [True]
    assert sent == []
    assert "GET /slow cancelled: the client disconnected" in caplog.text


def test_a_quick_request_leaves_no_watcher_behind() -> None:
    received: list[str] = []

    async def receive() -> Any:
        received.append("receive")
        if len(received) == 1:
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # a client that stays: only a watcher would wait here
        raise AssertionError("unreachable")

    sent = serve_rest(echo, receive)
    assert [message["type"] for message in sent] == [
        "http.response.start",
        "http.response.body",
    ]
    assert received == ["receive"]  # answered before anyone watched for a disconnect
