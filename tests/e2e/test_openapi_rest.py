"""Inputs checked against the upstream's OpenAPI document before any upstream call, over
real sockets: REST answers a 422 naming the field, MCP an error result, and the recording
upstream receives nothing; what the document allows goes through, and answers the document
describes loosely (64-bit integers as strings, nulls) are still structured content."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from naftiko_codegen.openapi import OpenApiFile
from naftiko_codegen.output import write_tree

from ..conftest import DATA, ServerProcess, compile_in_black_layout, pip_install, start_server
from ..proxy_support import RecordingUpstream

pytestmark = pytest.mark.e2e

CHECKED = DATA / "openapi" / "checked"
PREFIX = "CHECKED_PETS_"


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, recording_upstream: RecordingUpstream
) -> Iterator[ServerProcess]:
    result = compile_in_black_layout(
        CHECKED / "pets.yaml", openapi=[OpenApiFile(CHECKED / "pets.openapi.yaml")]
    )
    root = tmp_path_factory.mktemp("checked")
    write_tree(root / "out", result.files, result.spec_digest)
    site = pip_install(root / "out", root / "site")
    env = {
        "PYTHONPATH": str(site),
        PREFIX + "PETS_BASE_URL": recording_upstream.url + "/v1",
        PREFIX + "REST_PORT": "0",
        PREFIX + "MCP_PORT": "0",
    }
    server = start_server([sys.executable, "-m", "checked_pets", "all"], expected=2, env=env)
    try:
        yield server
    finally:
        server.stop()


def problem(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_rest_refuses_what_the_document_does_not_allow(
    servers: ServerProcess, upstream: RecordingUpstream
) -> None:
    with httpx.Client(base_url=servers.url("REST"), timeout=30) as client:
        order = problem(client.get("/pets", params={"order": "sideways"}))
        assert (order["field"], order["location"]) == ("order", "query")
        assert "'sideways' is not one of ['asc', 'desc']" in order["detail"]
        limit = problem(client.get("/pets", params={"limit": 500}))
        assert (limit["field"], limit["location"]) == ("limit", "query")
        empty = problem(client.post("/pets", json={"name": ""}))
        assert (empty["field"], empty["location"]) == ("body.name", "body")
        read_only = problem(client.post("/pets", json={"name": "Rex", "id": 7}))
        assert read_only["field"] == "body" and "'id' was unexpected" in read_only["detail"]
        assert upstream.requests == []
        assert client.get("/pets", params={"order": "asc", "limit": 5}).status_code == 200
        assert upstream.take().query_pairs() == [("order", "asc"), ("limit", "5")]
        assert client.post("/pets", json={"name": "Rex", "tag": None}).status_code == 200
        assert json.loads(upstream.take().body) == {"name": "Rex", "tag": None}


def test_mcp_refuses_the_same_and_reads_loose_answers(
    servers: ServerProcess, upstream: RecordingUpstream
) -> None:
    upstream.respond(body=json.dumps([{"id": "9007199254740993", "name": "Rex", "tag": None}]))

    async def run() -> None:
        async with Client(servers.url("MCP") + "/mcp") as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert tools["list-pets"].input_schema["properties"]["order"]["enum"] == ["asc", "desc"]
            assert "id" not in tools["create-pet"].input_schema["properties"]["body"]["properties"]
            refused = await client.call_tool("list-pets", {"order": "sideways"})
            assert refused.is_error and refused.structured_content is None
            assert "order: 'sideways' is not one of ['asc', 'desc']" in refused.content[0].text
            body = await client.call_tool("create-pet", {"body": {"name": "Rex", "id": 7}})
            assert body.is_error and "body: Additional properties" in body.content[0].text
            assert upstream.requests == []
            listed = await client.call_tool("list-pets", {"order": "desc", "limit": 2})
            assert not listed.is_error, listed.content
            assert listed.structured_content == {
                "result": [{"id": "9007199254740993", "name": "Rex", "tag": None}]
            }

    anyio.run(run)
    assert upstream.take().query_pairs() == [("order", "desc"), ("limit", "2")]
