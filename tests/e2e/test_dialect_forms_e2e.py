"""The forms real capability files use, served end to end (``docs/semantics.md`` §12–§14).

``tests/data/forms/real-world-forms.yaml`` writes each form in the style of the real files:
labels as resource names, a namespace with ``:``, names in every case style, parameter names
with brackets, backticks and ``$``, a templated base URI, a binary answer, an array output
without ``items``, an operation with its own path, ``with`` references with a location
qualifier and a leading separator, one that the route lacks, two consumed operations called
``post``, a path value from a bound file, an import by a bare relative location, and a route
that repeats another. Its REST and MCP servers run on 127.0.0.1 in front of a recording
upstream (``tests/test_dialect_forms.py`` checks what the build says of it).
"""

from __future__ import annotations

import base64
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from ..conftest import DATA, build_into, pip_install
from ..proxy_support import LoggedServer, RecordingUpstream, start_logged_server, upstream_fixture

pytestmark = pytest.mark.e2e

FORMS = DATA / "forms" / "real-world-forms.yaml"
PREFIX = "REAL_WORLD_FORMS_"
TOKEN = "forms-token-9c41"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    yield from upstream_fixture()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, upstream: RecordingUpstream
) -> Iterator[LoggedServer]:
    """The package built, installed and started (REST and MCP) in a folder holding the
    bound file ``secrets.yaml``; the base URI's ``{host}`` and ``{port}`` are settings."""
    root = tmp_path_factory.mktemp("forms")
    build_into(FORMS, root / "out")
    pip_install(root / "out", root / "site")
    shutil.copy(FORMS.parent / "secrets.yaml", root / "secrets.yaml")
    env = {
        "PYTHONPATH": str(root / "site"),
        PREFIX + "BILLING_V1_HOST": "127.0.0.1",
        PREFIX + "BILLING_V1_PORT": str(upstream.port),
        PREFIX + "SHARED_API_BASE_URL": upstream.url,
        PREFIX + "REST_PORT": "0",
        PREFIX + "MCP_PORT": "0",
        "FORMS_TOKEN": TOKEN,
    }
    server = start_logged_server(
        [sys.executable, "-m", "real_world_forms", "all"], 2, env, cwd=root
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rest(served: LoggedServer, upstream: RecordingUpstream) -> Iterator[httpx.Client]:
    upstream.reset()
    with httpx.Client(base_url=served.url("REST"), timeout=10) as client:
        yield client


def call_tool(served: LoggedServer, name: str, arguments: dict[str, Any]) -> Any:
    """Call one MCP tool through the ``mcp`` client; returns the result."""

    async def call() -> Any:
        async with Client(served.url("MCP") + "/mcp") as client:
            return await client.call_tool(name, arguments)

    return anyio.run(call)


def list_tools(served: LoggedServer) -> dict[str, Any]:
    async def listing() -> dict[str, Any]:
        async with Client(served.url("MCP") + "/mcp") as client:
            return {tool.name: tool for tool in (await client.list_tools()).tools}

    return anyio.run(listing)


def test_labels_namespaces_and_a_templated_base_uri(
    rest: httpx.Client, upstream: RecordingUpstream
) -> None:
    assert rest.get("/v1/me").status_code == 200
    sent = upstream.only()
    assert (sent.method, sent.path) == ("GET", "/base/users/@me")
    assert sent.header("authorization") == f"Bearer {TOKEN}"


def test_parameter_wire_names_are_kept(served: LoggedServer, upstream: RecordingUpstream) -> None:
    upstream.reset()
    schema = list_tools(served)["list_invoice_items"].input_schema
    odd = "filter[cvss.base.score][`$op`]"
    assert set(schema["properties"]) == {
        "customer",
        "expand",
        odd,
        "$top",
        "page[limit]",
        "page_limit",
        "jsonpath",
    }
    assert schema["required"] == ["customer"]
    assert schema["properties"]["expand"]["items"] == {"type": "string"}
    assert all(p["description"] for p in schema["properties"].values())
    arguments = {"customer": "cus_1", odd: "gte", "$top": 5, "page[limit]": "10", "page_limit": "2"}
    result = call_tool(served, "list_invoice_items", {**arguments, "expand": ["a", "b"]})
    assert not result.is_error, result.content
    pairs = upstream.only().query_pairs()
    assert ("customer", "cus_1") in pairs and (odd, "gte") in pairs and ("$top", "5") in pairs
    assert ("page[limit]", "10") in pairs and ("page_limit", "2") in pairs
    assert [v for k, v in pairs if k == "expand"] == ["a", "b"]


def test_an_optional_filter_can_be_left_out(
    served: LoggedServer, upstream: RecordingUpstream
) -> None:
    upstream.reset()
    result = call_tool(served, "list_invoice_items", {"customer": "cus_1"})
    assert not result.is_error, result.content
    assert upstream.only().query_pairs() == [("customer", "cus_1")]


def test_binary_answers_pass_through(
    rest: httpx.Client, served: LoggedServer, upstream: RecordingUpstream
) -> None:
    upstream.respond(body=PNG, content_type="image/png")
    answer = rest.get("/v1/files/f-1/content")
    assert (answer.status_code, answer.headers["content-type"]) == (200, "image/png")
    assert answer.content == PNG
    assert upstream.take().path == "/base/files/f-1/content"
    result = call_tool(served, "download", {"file_id": "f-2"})
    [item] = result.content
    assert (item.type, item.mime_type, base64.b64decode(item.data)) == ("image", "image/png", PNG)
    assert result.structured_content is None
    upstream.respond(body=b"%PDF-1.7", content_type="application/pdf")
    [blob] = call_tool(served, "download", {"file_id": "f-3"}).content
    assert blob.type == "resource" and blob.resource.mime_type == "application/pdf"
    assert base64.b64decode(blob.resource.blob) == b"%PDF-1.7"


def test_an_array_without_items_is_an_array_of_anything(
    rest: httpx.Client, upstream: RecordingUpstream
) -> None:
    upstream.respond(body=b'{"tags": [1, "a", {"x": [true]}], "other": 2}')
    answer = rest.get("/v1/keys/k-1/rows")
    assert answer.json() == [1, "a", {"x": [True]}]
    assert upstream.only().path == "/base/keys/k-1/rows"


def test_an_encoded_slash_stays_one_segment(
    rest: httpx.Client, upstream: RecordingUpstream
) -> None:
    assert rest.get("/v1/keys/group%2Fproject/rows").status_code == 200
    assert upstream.take().path == "/base/keys/group%2Fproject/rows"
    assert rest.get("/v1/files/a%20b%2F..%2Fc/content").status_code == 200
    assert upstream.take().path == "/base/files/a%20b%2F..%2Fc/content"
    assert rest.get("/v1/keys/a/b/rows").status_code == 404
    assert not upstream.requests


def test_a_reference_the_route_lacks_is_a_query_input(
    rest: httpx.Client, upstream: RecordingUpstream
) -> None:
    assert rest.get("/v1/logs", params={"logName": "app"}).status_code == 200
    assert upstream.take().path == "/base/logs/app"
    missing = rest.get("/v1/logs")
    assert missing.status_code == 422 and "logName" in missing.text
    assert not upstream.requests


def test_calls_sharing_a_name_are_told_apart(
    rest: httpx.Client, served: LoggedServer, upstream: RecordingUpstream
) -> None:
    for route, target in (("/v1/b", "/base/b"), ("/v1/a", "/base/a")):
        assert rest.post(route, json={"k": 1}).status_code == 200
        assert upstream.take().path == target
    for tool, target in (("post-first", "/base/a"), ("post-second", "/base/b")):
        assert not call_tool(served, tool, {}).is_error
        assert upstream.take().path == target


def test_a_path_value_from_a_bound_file(rest: httpx.Client, upstream: RecordingUpstream) -> None:
    assert rest.get("/v1/tenant").status_code == 200
    assert upstream.only().path == "/base/tenants/acme"


def test_an_api_imported_by_a_bare_relative_location(
    rest: httpx.Client, upstream: RecordingUpstream
) -> None:
    assert rest.get("/v1/shared/x-1").status_code == 200
    assert upstream.only().path == "/things/x-1"


def test_tool_names_clients_refuse_are_published_in_a_form_they_accept(
    served: LoggedServer,
) -> None:
    names = set(list_tools(served))
    assert "list_rows" in names and "list.rows" not in names
