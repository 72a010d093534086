"""The client of a consumed API (upstream_client): configured credentials win, bodies get
their type, every client of a package closes together."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx

from naftiko_codegen.runtime.upstream_client import UpstreamClient, UpstreamGroup

from .loopback import Limits


class KeyInQuery(UpstreamClient):
    namespace = "q"
    credential_query = "key"


class TokenInHeader(UpstreamClient):
    namespace = "h"
    credential_header = "authorization"


def exchange(client_type: type[UpstreamClient], **send: Any) -> httpx.Request:
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    async def go() -> None:
        options: dict[str, Any] = {}
        if client_type is KeyInQuery:
            options["params"] = {"key": "configured"}
        else:
            options["headers"] = {"Authorization": "Bearer configured"}
        client = client_type("http://up.test", Limits(), httpx.MockTransport(upstream), **options)
        async with client:
            answer = await client._send("op", "POST", "/items", **send)
            assert (answer.namespace, answer.operation, answer.status) == (
                client_type.namespace,
                "op",
                200,
            )

    asyncio.run(go())
    return seen[0]


def test_a_configured_query_key_wins_over_the_callers() -> None:
    request = exchange(KeyInQuery, query=[("key", "caller"), ("a", "1")], headers={})
    assert request.url.params.multi_items() == [("key", "configured"), ("a", "1")]


def test_a_configured_header_wins_over_the_callers() -> None:
    request = exchange(TokenInHeader, query=[], headers={"AUTHORIZATION": "Bearer caller"})
    assert request.headers.get_list("authorization") == ["Bearer configured"]


def test_a_body_gets_its_type_unless_the_caller_sent_one() -> None:
    typed = exchange(TokenInHeader, query=[], headers={}, body=b"a=1", body_type="text/plain")
    assert (typed.content, typed.headers["content-type"]) == (b"a=1", "text/plain")
    kept = exchange(TokenInHeader, query=[], headers={"content-type": "x/y"}, body=b"{}")
    assert kept.headers.get_list("content-type") == ["x/y"]


def test_multipart_parts_are_sent_as_files() -> None:
    parts = [("file", ("a.txt", "hello", "text/plain")), ("note", (None, "n", None))]
    request = exchange(TokenInHeader, query=[], headers={}, files=parts)
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'filename="a.txt"' in request.read() and b"hello" in request.content


def test_a_group_closes_every_client() -> None:
    closed: list[str] = []

    class Client:
        def __init__(self, name: str) -> None:
            self.name = name

        async def aclose(self) -> None:
            closed.append(self.name)

    @dataclasses.dataclass(frozen=True)
    class Group(UpstreamGroup):
        a: Client
        b: Client

    async def go() -> None:
        async with Group(Client("a"), Client("b")):
            assert closed == []

    asyncio.run(go())
    assert closed == ["a", "b"]
