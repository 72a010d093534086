"""Official alpha2 features end to end: shaping, mocks, aggregates, bodies, body inputs.

Each capability in tests/data/official/ (copied from the official examples) is compiled,
pip-installed and started as a subprocess in front of a recording upstream; the exposed
output is compared byte for byte with what the specification describes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from ..conftest import ServerProcess, build_into, pip_install, start_server
from ..proxy_support import RecordingUpstream, upstream_fixture

pytestmark = pytest.mark.e2e

OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "official"


def compact(value: Any) -> bytes:
    """The bytes a JSON response of ``value`` has."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    yield from upstream_fixture()


class Served:
    """An official capability compiled, installed and running (REST and/or MCP)."""

    def __init__(self, spec: str, root: Path, upstream: RecordingUpstream) -> None:
        result = build_into(OFFICIAL / spec, root / "out")
        pip_install(root / "out", root / "site")
        cap = result.capability
        prefix = cap.env_prefix + "_"
        env = {"PYTHONPATH": str(root / "site"), prefix + "LOG_LEVEL": "WARNING"}
        for api in cap.apis:
            env[api.base_uri_env] = upstream.url + "/v1"
        for adapter in [*cap.rest_adapters, *cap.listeners]:
            env[f"{prefix}{adapter.key.upper()}_PORT"] = "0"
        count = len(cap.rest_adapters) + len(cap.listeners)
        self.capability = cap
        self.server: ServerProcess = start_server(
            [sys.executable, "-m", cap.package, "all"], expected=count, env=env
        )

    def rest(self) -> str:
        return self.server.url("REST")

    def mcp(self) -> str:
        return self.server.url("MCP") + "/mcp"


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory, upstream: RecordingUpstream) -> Iterator[Any]:
    started: dict[str, Served] = {}

    def get(spec: str) -> Served:
        if spec not in started:
            started[spec] = Served(spec, tmp_path_factory.mktemp(Path(spec).stem), upstream)
        upstream.reset()
        return started[spec]

    try:
        yield get
    finally:
        for served in started.values():
            served.server.stop()


def call_tool(url: str, name: str, arguments: dict[str, Any]) -> Any:
    async def run() -> Any:
        async with Client(url) as client:
            return await client.call_tool(name, arguments)

    return anyio.run(run)


def list_tools(url: str) -> dict[str, Any]:
    async def run() -> Any:
        async with Client(url) as client:
            return {tool.name: tool for tool in (await client.list_tools()).tools}

    return anyio.run(run)


SHIP = {
    "imo_number": "9321483",
    "vessel_name": "Ever Given",
    "operational_status": "active",
    "year_built": 2018,
    "gross_tonnage": 219079,
    "dimensions": {"length_overall": 399.94},
}


def test_nested_object_output_is_shaped(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("nested-object-output-capability.yaml")
    upstream.respond(body=json.dumps(SHIP))
    result = call_tool(served.mcp(), "get-ship", {"imo": "9321483"})
    assert not result.is_error, result.content
    expected = {
        "imo": "9321483",
        "name": "Ever Given",
        "status": "active",
        "specs": {"yearBuilt": 2018, "tonnage": 219079, "length": 399.94},
    }
    assert result.structured_content == expected
    assert json.loads(result.content[0].text) == expected
    request = upstream.only()
    assert (request.method, request.target) == ("GET", "/v1/ships/9321483")
    schema = list_tools(served.mcp())["get-ship"].output_schema
    assert set(schema["properties"]) == {"imo", "name", "status", "specs"}
    assert set(schema["properties"]["specs"]["properties"]) == {"yearBuilt", "tonnage", "length"}


def test_missing_fields_become_null(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("nested-object-output-capability.yaml")
    upstream.respond(body=json.dumps({"imo_number": "1"}))
    result = call_tool(served.mcp(), "get-ship", {"imo": "1"})
    assert result.structured_content == {
        "imo": "1",
        "name": None,
        "status": None,
        "specs": {"yearBuilt": None, "tonnage": None, "length": None},
    }


def test_array_output_with_element_relative_mappings_and_raw_body(
    serve: Any, upstream: RecordingUpstream
) -> None:
    served = serve("mcp-capability.yaml")
    page = {"properties": {"Name": {"title": [{"text": {"content": "Ada"}}]}}}
    page["properties"]["Status"] = {"select": {"name": "Committed"}}
    upstream.respond(body=json.dumps({"results": [page, {"properties": {}}]}))
    result = call_tool(served.mcp(), "query-database", {})
    assert not result.is_error, result.content
    rows = [{"name": "Ada", "status": "Committed"}, {"name": None, "status": None}]
    assert result.structured_content == {"result": rows}
    request = upstream.only()
    assert request.method == "POST"
    assert request.path == "/v1/databases/test-db-id-123/query"
    assert request.header("content-type") == "application/json"
    expected_body = {"filter": {"property": "Status", "select": {"equals": "Committed"}}}
    assert json.loads(request.body) == expected_body


def test_mock_aggregate_answers_without_upstream(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("aggregate-shared-mock.yaml")
    expected = {"message": "Hello, Ada Lovelace!", "source": "aggregate-mock"}
    response = httpx.get(served.rest() + "/hello", params={"name": "Ada Lovelace"}, timeout=10)
    assert response.status_code == 200
    assert response.content == compact(expected)
    result = call_tool(served.mcp(), "hello", {"name": "Ada Lovelace"})
    assert result.structured_content == expected
    assert upstream.requests == []


def test_mock_template_with_missing_input_renders_empty(serve: Any) -> None:
    served = serve("aggregate-shared-mock.yaml")
    response = httpx.get(served.rest() + "/hello", timeout=10)
    assert response.json() == {"message": "Hello, !", "source": "aggregate-mock"}


def test_semantics_become_hints_and_hints_override(serve: Any) -> None:
    tools = list_tools(serve("aggregate-hints-override.yaml").mcp())

    def hints(name: str) -> tuple[bool | None, ...]:
        a = tools[name].annotations
        return (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)

    assert hints("read-items") == (True, False, True, True)
    assert hints("read-items-open") == (True, False, True, True)
    assert hints("delete-item") == (False, True, True, False)
    assert hints("plain-tool") == (True, False, True, True)
    assert tools["read-items"].description == (
        "Read all items.\n\nCalls GET items of the API `mock-api`."
    )
    assert "item-id" in tools["delete-item"].input_schema["properties"]


def test_body_template_is_json_safe(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("http-body-capability.yaml")
    hostile = 'Ada "the first", {"admin": true}\n'
    payload = {"user": {"id": "u-1", "name": hostile}}
    response = httpx.post(served.rest() + "/users", json=payload, timeout=10)
    assert response.status_code == 200, response.text
    request = upstream.only()
    assert (request.method, request.path) == ("POST", "/v1/create")
    assert json.loads(request.body) == {"id": "u-1", "name": hostile}


def test_body_input_feeds_a_query_template(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("http-header-query-capability.yaml")
    response = httpx.post(served.rest() + "/search", json={"user": {"id": "u 1/x&y"}}, timeout=10)
    assert response.status_code == 200, response.text
    request = upstream.only()
    assert request.path == "/v1/items"
    assert request.query_pairs() == [("q", "u 1/x&y")]
    assert request.header("x-api-key") == "ABC123"


def test_body_input_of_the_wrong_type_is_a_422(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("http-header-query-capability.yaml")
    response = httpx.post(served.rest() + "/search", json={"user": {"id": 42}}, timeout=10)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "userId"
    assert upstream.requests == []


# --- control port ----------------------------------------------------------------------

CONTROL_SPEC = Path(__file__).resolve().parents[1] / "data" / "flyte-with-control.yaml"


@pytest.fixture(scope="module")
def control_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("control")
    result = build_into(CONTROL_SPEC, root / "out")
    pip_install(root / "out", root / "site")
    return root / "site", result.capability.package


def start_with_control(site: Path, package: str, upstream: str) -> ServerProcess:
    prefix = "FLYTE_ADMIN_API_EXECUTIONS_"
    env = {
        "PYTHONPATH": str(site),
        prefix + "ADMIN_EXECUTIONS_BASE_URL": upstream,
        prefix + "REST_PORT": "0",
        prefix + "MCP_PORT": "0",
        prefix + "CONTROL_PORT": "0",
        prefix + "CONNECT_TIMEOUT": "1",
    }
    return start_server([sys.executable, "-m", package, "all"], expected=3, env=env)


def test_control_port_health_and_metrics(
    control_site: tuple[Path, str], upstream: RecordingUpstream
) -> None:
    upstream.reset()
    server = start_with_control(*control_site, upstream.url)
    try:
        control = server.url("Control")
        assert httpx.get(control + "/health/live", timeout=10).json() == {"status": "UP"}
        ready = httpx.get(control + "/health/ready", timeout=10)
        assert ready.status_code == 200
        assert ready.json() == {"status": "UP", "upstreams": {"admin-executions": "UP"}}
        status = httpx.get(control + "/status", timeout=10).json()
        assert status["upstreams"] == ["admin-executions"]

        rest = server.url("REST")
        assert httpx.get(rest + "/v1/api/v1/executions/p/d/n", timeout=10).status_code == 200
        upstream.respond(status=404, body='{"code":5,"message":"missing"}')
        assert httpx.get(rest + "/v1/api/v1/executions/p/d/m", timeout=10).status_code == 404
        upstream.respond(body="{}")
        result = call_tool(
            server.url("MCP") + "/mcp",
            "retrieve-workflow-execution",
            {"id.project": "p", "id.domain": "d", "id.name": "n"},
        )
        assert not result.is_error

        metrics = httpx.get(control + "/metrics", timeout=10).text
        rest_ok = (
            'naftiko_requests_total{adapter="admin-executions-rest",'
            'operation="getexecution",outcome="ok"} 1.0'
        )
        rest_error = rest_ok.replace('"ok"} 1.0', '"error"} 1.0')
        tool_ok = (
            'naftiko_requests_total{adapter="admin-executions-mcp",'
            'operation="retrieve-workflow-execution",outcome="ok"} 1.0'
        )
        assert rest_ok in metrics and rest_error in metrics and tool_ok in metrics
        assert "naftiko_request_duration_seconds_bucket" in metrics
    finally:
        server.stop()


def test_control_port_reports_unreachable_upstream(control_site: tuple[Path, str]) -> None:
    server = start_with_control(*control_site, "http://127.0.0.1:9")
    try:
        ready = httpx.get(server.url("Control") + "/health/ready", timeout=10)
    finally:
        server.stop()
    assert ready.status_code == 503
    assert ready.json() == {"status": "DEGRADED", "upstreams": {"admin-executions": "DOWN"}}


# --- MCP resources and prompts -----------------------------------------------------------


def mcp_session(url: str, action: Any) -> Any:
    async def run() -> Any:
        async with Client(url) as client:
            return await action(client)

    return anyio.run(run)


def test_resources_and_templates_are_listed_and_read(
    serve: Any, upstream: RecordingUpstream
) -> None:
    served = serve("mcp-resources-prompts-capability.yaml")

    async def listing(client: Client) -> Any:
        return await client.list_resources(), await client.list_resource_templates()

    resources, templates = mcp_session(served.mcp(), listing)
    assert [(r.name, r.uri, r.mime_type) for r in resources.resources] == [
        ("database-schema", "data://databases/pre-release/schema", "application/json")
    ]
    assert [(t.name, t.uri_template) for t in templates.resource_templates] == [
        ("user-profile", "data://users/{userId}/profile")
    ]

    upstream.respond(body='{"user": "u-42"}')

    async def read(client: Client) -> Any:
        return await client.read_resource("data://users/u-42/profile")

    result = mcp_session(served.mcp(), read)
    assert result.contents[0].text == '{"user": "u-42"}'
    assert result.contents[0].mime_type == "application/json"
    request = upstream.only()
    assert (request.method, request.path) == ("POST", "/v1/databases/u-42/query")


def test_unknown_resource_is_an_error(serve: Any) -> None:
    served = serve("mcp-resources-prompts-capability.yaml")

    async def read(client: Client) -> Any:
        with pytest.raises(MCPError) as caught:
            await client.read_resource("data://nothing/here")
        return caught.value

    error = mcp_session(served.mcp(), read)
    assert error.code == INVALID_PARAMS
    assert "Unknown resource 'data://nothing/here'" in error.message


def test_prompts_render_their_arguments(serve: Any) -> None:
    served = serve("mcp-resources-prompts-capability.yaml")

    async def prompts(client: Client) -> Any:
        listed = await client.list_prompts()
        rendered = await client.get_prompt(
            "summary-prompt", {"data": "a, b, c", "format": "bullet-points"}
        )
        return listed, rendered

    listed, rendered = mcp_session(served.mcp(), prompts)
    assert [p.name for p in listed.prompts] == ["participant-outreach", "summary-prompt"]
    outreach = listed.prompts[0]
    assert [(a.name, a.required) for a in outreach.arguments] == [
        ("participant_name", True),
        ("product_name", True),
    ]
    messages = [(m.role, m.content.text) for m in rendered.messages]
    assert messages == [
        ("user", "Summarize the following data in bullet-points format:\n\na, b, c"),
        ("assistant", "I'll summarize the data for you."),
        ("user", "Please focus on the key insights."),
    ]

    async def missing(client: Client) -> Any:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("participant-outreach", {"participant_name": "Ada"})
        return caught.value

    error = mcp_session(served.mcp(), missing)
    assert error.code == INVALID_PARAMS
    assert "product_name" in error.message


# --- outputRawFormat ---------------------------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
CORPUS_FORMATS = SAMPLES.parent / "corpus" / "ikanos" / "engine" / "formats"
USERS = [
    {"id": "1", "name": "Alice Smith", "email": "alice@example.com"},
    {"id": "2", "name": "Bob Johnson", "email": "bob@example.com"},
]


@pytest.mark.parametrize(
    ("spec", "sample", "content_type", "route"),
    [
        ("xml-capability.yaml", "sample-users.xml", "application/xml", "/xml/users"),
        ("csv-capability.yaml", "sample-users.csv", "text/csv", "/csv/users"),
        ("yaml-capability.yaml", "sample-users.yaml", "application/yaml", "/yaml/users"),
    ],
)
def test_formats_are_decoded_before_shaping(
    serve: Any,
    upstream: RecordingUpstream,
    spec: str,
    sample: str,
    content_type: str,
    route: str,
) -> None:
    served = serve(spec)
    upstream.respond(body=(SAMPLES / sample).read_bytes(), content_type=content_type)
    response = httpx.get(served.rest() + route, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()[:2] == USERS


def test_undecodable_answer_is_a_502(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("xml-capability.yaml")
    upstream.respond(body=b"<root><user>", content_type="application/xml")
    response = httpx.get(served.rest() + "/xml/users", timeout=10)
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert "invalid XML" in response.json()["detail"]


def test_xml_entities_are_refused(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("xml-capability.yaml")
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><root><user>&a;</user></root>'
    upstream.respond(body=bomb, content_type="application/xml")
    assert httpx.get(served.rest() + "/xml/users", timeout=10).status_code == 502


def test_html_tables_are_decoded_before_shaping(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("html-capability.yaml")
    page = (CORPUS_FORMATS.parent / "schemas" / "sample-products.html").read_bytes()
    upstream.respond(body=page, content_type="text/html; charset=utf-8")
    response = httpx.get(served.rest() + "/html/products", timeout=10)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"name": "Widget", "price": "$42", "stock": "150"},
        {"name": "Gadget", "price": "$99", "stock": "30"},
    ]


# --- exposed-side authentication ----------------------------------------------------------

AUTH_SPEC = Path(__file__).resolve().parents[1] / "data" / "auth-capability.yaml"
GUARD = {
    "GUARD_TOKEN": "mcp-t0ken-s3cret",
    "GUARD_USER": "ada",
    "GUARD_PASSWORD": "pa:ss w0rd",
    "UPSTREAM_TOKEN": "upstream-s3cret",
}


@pytest.fixture(scope="module")
def guarded(
    tmp_path_factory: pytest.TempPathFactory, upstream: RecordingUpstream
) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("guarded")
    result = build_into(AUTH_SPEC, root / "out")
    pip_install(root / "out", root / "site")
    prefix = result.capability.env_prefix + "_"
    env = {
        "PYTHONPATH": str(root / "site"),
        prefix + "ECHO_BASE_URL": upstream.url,
        prefix + "REST_PORT": "0",
        prefix + "MCP_PORT": "0",
        **GUARD,
    }
    server = start_server(
        [sys.executable, "-m", result.capability.package, "all"], expected=2, env=env
    )
    try:
        yield server
    finally:
        server.stop()


def test_rest_requires_basic_credentials(
    guarded: ServerProcess, upstream: RecordingUpstream
) -> None:
    upstream.reset()
    url = guarded.url("REST") + "/items/7"
    missing = httpx.get(url, timeout=10)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Basic ")
    assert missing.headers["content-type"] == "application/problem+json"
    assert httpx.get(url, auth=("ada", "wrong"), timeout=10).status_code == 401
    assert httpx.get(url, auth=("eve", "pa:ss w0rd"), timeout=10).status_code == 401
    assert upstream.requests == []
    ok = httpx.get(url, auth=("ada", "pa:ss w0rd"), timeout=10)
    assert ok.status_code == 200
    request = upstream.only()
    assert request.header("authorization") == "Bearer upstream-s3cret"


def test_mcp_requires_the_bearer_token(guarded: ServerProcess, upstream: RecordingUpstream) -> None:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    upstream.reset()
    url = guarded.url("MCP") + "/mcp"
    assert httpx.post(url, json={}, timeout=10).status_code == 401

    async def run() -> Any:
        headers = {"Authorization": "Bearer " + GUARD["GUARD_TOKEN"]}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                return await client.call_tool("get-item", {"id": "7"})

    result = anyio.run(run)
    assert not result.is_error, result.content
    assert upstream.only().path == "/items/7"


# --- orchestration ---------------------------------------------------------------------------


def test_steps_call_in_order_and_map_outputs(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("aggregate-step-with-namespace.yaml")
    upstream.respond(body='{"voyageId": "V-77", "vessel": "Ever Given"}')
    result = call_tool(served.mcp(), "get-voyage-manifest", {"voyage-id": "V 77/x"})
    assert not result.is_error, result.content
    assert result.structured_content == {"voyage-id": "V-77"}
    assert upstream.only().path == "/v1/voyages/V%2077%2Fx"


def test_failed_step_stops_with_a_clear_error(serve: Any, upstream: RecordingUpstream) -> None:
    served = serve("mcp-step-with-namespace-capability.yaml")
    upstream.respond(status=404, body='{"message": "no such voyage"}')
    result = call_tool(served.mcp(), "get-voyage-manifest", {"voyageId": "V-1"})
    assert result.is_error
    text = result.content[0].text
    assert "Step 'get-voyage' failed" in text and "404" in text and "no such voyage" in text


# --- skills catalog ----------------------------------------------------------------------------


def test_skills_catalog_lists_skills_and_resolves_tool_sources(serve: Any) -> None:
    served = serve("skill-capability.yaml")
    base = served.server.url("Skills")
    listed = httpx.get(base + "/skills", timeout=10).json()
    assert listed == {
        "skills": [
            {
                "name": "order-management",
                "description": "Tools for managing orders",
                "tools": ["list-orders", "order-guide"],
            },
            {
                "name": "onboarding-guide",
                "description": "A purely descriptive skill with no tools",
                "tools": [],
            },
        ]
    }
    skill = httpx.get(base + "/skills/order-management", timeout=10).json()
    assert skill["allowed-tools"] == "list-orders"
    assert skill["tools"][0] == {
        "name": "list-orders",
        "description": "List all orders in the system",
        "from": {"namespace": "orders-rest", "action": "list-orders"},
        "adapter": "rest",
        "method": "GET",
        "path": "/orders",
    }
    missing = httpx.get(base + "/skills/nope", timeout=10)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_safe_upstream_response_headers_pass_through(
    serve: Any, upstream: RecordingUpstream
) -> None:
    served = serve("http-header-query-capability.yaml")
    upstream.respond(
        body='{"items": []}',
        headers=[
            ("ETag", '"v1"'),
            ("Link", '<https://example.com/items?page=2>; rel="next"'),
            ("Retry-After", "5"),
            ("Set-Cookie", "session=upstream"),
            ("WWW-Authenticate", "Basic realm=upstream"),
            ("X-Internal", "secret-topology"),
        ],
    )
    response = httpx.post(served.rest() + "/search", json={"user": {"id": "u"}}, timeout=10)
    assert response.status_code == 200
    assert response.headers["etag"] == '"v1"'
    assert response.headers["link"] == '<https://example.com/items?page=2>; rel="next"'
    assert response.headers["retry-after"] == "5"
    for hidden in ("set-cookie", "www-authenticate", "x-internal"):
        assert hidden not in response.headers


def test_forward_proxies_the_prefix_with_trusted_headers_only(
    serve: Any, upstream: RecordingUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTERNAL_TOKEN", "tok-123")
    served = serve("../forward/forward-capability.yaml")
    upstream.respond(status=201, body='{"created": true}')
    response = httpx.post(
        served.rest() + "/forward/items/a%20b%2Fc/d",
        params=[("q", "x y"), ("q", "2")],
        content=b'{"name": "n"}',
        headers={
            "Content-Type": "application/json",
            "X-Request-Id": "req-1",
            "X-Internal": "secret-routing",
            "Authorization": "Bearer caller-token",
            "Cookie": "session=abc",
        },
        timeout=10,
    )
    assert (response.status_code, response.content) == (201, b'{"created": true}')
    request = upstream.only()
    assert request.method == "POST"
    # routes match the raw path: an encoded `/` stays inside its segment on the way out
    assert request.path == "/v1/items/a%20b%2Fc/d"
    assert request.query_pairs() == [("q", "x y"), ("q", "2")]
    assert request.body == b'{"name": "n"}'
    assert request.header("x-request-id") == "req-1"
    assert request.header("content-type") == "application/json"
    assert request.header("x-api-version") == "2026-03-03"
    assert request.header("authorization") == "Bearer tok-123"  # the target's credential
    assert request.header("x-internal") is None
    assert request.header("cookie") is None

    upstream.reset()
    for climbing in ("/forward/items/..%2F..%2Fadmin", "/forward/a/%2E/b", "/forward/a/%2E%2E/b"):
        refused = httpx.get(served.rest() + climbing, timeout=10)
        assert refused.status_code == 400, climbing
        assert refused.headers["content-type"] == "application/problem+json"
    assert upstream.requests == []

    upstream.respond(status=404, body='{"missing": 1}')
    missing = httpx.delete(served.rest() + "/forward/items/9", timeout=10)
    assert (missing.status_code, missing.json()) == (404, {"missing": 1})
    assert (upstream.only().method, upstream.only().path) == ("DELETE", "/v1/items/9")
