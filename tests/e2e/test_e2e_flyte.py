"""End to end over real sockets: simulator ← generated REST / MCP servers ← real clients."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from ..conftest import FLYTE_PACKAGE, ServerProcess, flyte_env, start_server
from ..flyte_support import create_body

pytestmark = pytest.mark.e2e

PREFIX = "/v1/api/v1"
TOOLS = {
    "create-workflow-execution",
    "recover-workflow-execution",
    "relaunch-workflow-execution",
    "list-workflow-executions",
    "retrieve-workflow-execution",
    "terminate-workflow-execution",
    "retrieve-execution-metrics",
}


def unique_name() -> str:
    """A fresh execution name valid for Flyte (lowercase, ≤ 20 characters)."""
    return "e" + uuid.uuid4().hex[:12]


# --- REST ----------------------------------------------------------------------------


def test_rest_execution_lifecycle(flyte_servers: ServerProcess) -> None:
    base = flyte_servers.url("REST")
    name = unique_name()
    with httpx.Client(base_url=base, timeout=10) as client:
        created = client.post(f"{PREFIX}/executions", json=create_body("flytesnacks", "dev", name))
        assert created.status_code == 200, created.text
        assert created.json()["id"] == {
            "project": "flytesnacks",
            "domain": "dev",
            "name": name,
            "org": "",
        }

        fetched = client.get(f"{PREFIX}/executions/flytesnacks/dev/{name}")
        assert fetched.status_code == 200
        assert fetched.json()["closure"]["phase"] == "RUNNING"

        listed = client.get(f"{PREFIX}/executions/flytesnacks/dev", params={"limit": 100})
        assert listed.status_code == 200
        assert name in [e["id"]["name"] for e in listed.json()["executions"]]

        terminated = client.request(
            "DELETE",
            f"{PREFIX}/executions/flytesnacks/dev/{name}",
            json={"cause": "no longer needed"},
        )
        assert terminated.status_code == 200
        assert terminated.json() == {}

        closure = client.get(f"{PREFIX}/executions/flytesnacks/dev/{name}").json()["closure"]
        assert closure["phase"] == "ABORTED"
        assert closure["abort_metadata"]["cause"] == "no longer needed"

        metrics = client.get(f"{PREFIX}/metrics/executions/flytesnacks/dev/{name}")
        assert metrics.status_code == 200
        assert metrics.json()["span"]["workflow_id"]["name"] == name


def test_rest_list_pages_with_limit_and_token(flyte_servers: ServerProcess) -> None:
    base = flyte_servers.url("REST")
    project = "paging" + uuid.uuid4().hex[:6]
    names = {unique_name() for _ in range(3)}
    with httpx.Client(base_url=base, timeout=10) as client:
        for name in names:
            assert client.post(
                f"{PREFIX}/executions", json=create_body(project, "dev", name)
            ).is_success
        first = client.get(f"{PREFIX}/executions/{project}/dev", params={"limit": 2}).json()
        assert len(first["executions"]) == 2 and first["token"]
        second = client.get(
            f"{PREFIX}/executions/{project}/dev", params={"limit": 2, "token": first["token"]}
        ).json()
        seen = {e["id"]["name"] for e in first["executions"] + second["executions"]}
        assert seen == names


def test_rest_passes_upstream_errors_through(flyte_servers: ServerProcess) -> None:
    base = flyte_servers.url("REST")
    with httpx.Client(base_url=base, timeout=10) as client:
        missing = client.get(f"{PREFIX}/executions/flytesnacks/dev/doesnotexist")
        assert missing.status_code == 404
        assert missing.json()["code"] == 5
        assert 'name:"doesnotexist"' in missing.json()["message"]

        body = create_body("flytesnacks", "dev", unique_name())
        del body["spec"]["launch_plan"]
        invalid = client.post(f"{PREFIX}/executions", json=body)
        assert invalid.status_code == 400
        assert invalid.json()["code"] == 3

        no_limit = client.get(f"{PREFIX}/executions/flytesnacks/dev")
        assert no_limit.status_code == 400
        assert "limit" in no_limit.json()["message"]


def test_rest_head_mirrors_get_without_a_body(flyte_servers: ServerProcess) -> None:
    base = flyte_servers.url("REST")
    name = unique_name()
    with httpx.Client(base_url=base, timeout=10) as client:
        assert client.post(
            f"{PREFIX}/executions", json=create_body("flytesnacks", "dev", name)
        ).is_success
        get = client.get(f"{PREFIX}/executions/flytesnacks/dev/{name}")
        head = client.head(f"{PREFIX}/executions/flytesnacks/dev/{name}")
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert client.head(f"{PREFIX}/executions/flytesnacks/dev/nothing").status_code == 404
        assert client.put(f"{PREFIX}/executions/flytesnacks/dev/{name}").status_code == 405


def test_rest_rejects_malformed_json_itself(flyte_servers: ServerProcess) -> None:
    base = flyte_servers.url("REST")
    response = httpx.post(
        f"{base}{PREFIX}/executions",
        content=b"{not json",
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "body"


def test_rest_openapi_document_uses_spec_names(flyte_servers: ServerProcess) -> None:
    document = httpx.get(flyte_servers.url("REST") + "/openapi.json", timeout=10).json()
    operation = document["paths"]["/v1/api/v1/executions/{id-project}/{id-domain}"]["get"]
    assert operation["operationId"] == "listexecutions"
    assert operation["summary"] == "List workflow executions"
    assert [p["name"] for p in operation["parameters"]] == ["id-project", "id-domain"]
    ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert len(ids) == 7


def test_rest_reports_unreachable_upstream_as_502(flyte_site: Path) -> None:
    server = start_server(
        [sys.executable, "-m", FLYTE_PACKAGE, "rest"],
        expected=1,
        env=flyte_env(flyte_site, "http://127.0.0.1:9"),
    )
    try:
        response = httpx.get(server.url("REST") + f"{PREFIX}/executions/p/d/n", timeout=30)
    finally:
        server.stop()
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 502
    assert problem["upstream"] == "admin-executions.getexecution"


# --- MCP -----------------------------------------------------------------------------


async def mcp_scenario(client: Client) -> None:
    """tools/list, then the execution lifecycle through tool calls, then errors."""
    listed = await client.list_tools()
    tools = {tool.name: tool for tool in listed.tools}
    assert set(tools) == TOOLS
    retrieve = tools["retrieve-workflow-execution"]
    assert retrieve.annotations is not None and retrieve.annotations.read_only_hint is True
    assert tools["terminate-workflow-execution"].annotations.destructive_hint is True  # type: ignore[union-attr]
    assert retrieve.input_schema["required"] == ["id.project", "id.domain", "id.name"]
    assert set(tools["list-workflow-executions"].input_schema["properties"]) == {
        "id.project",
        "id.domain",
        "query",
        "jsonpath",  # the projection (docs/semantics.md, "Tools for agents")
    }
    assert "body" in tools["create-workflow-execution"].input_schema["properties"]

    name = unique_name()
    ids = {"id.project": "mcp", "id.domain": "dev", "id.name": name}
    created = await client.call_tool(
        "create-workflow-execution", {"body": create_body("mcp", "dev", name)}
    )
    assert not created.is_error, created.content
    assert created.structured_content is not None
    assert created.structured_content["id"]["name"] == name

    fetched = await client.call_tool("retrieve-workflow-execution", ids)
    assert not fetched.is_error
    assert fetched.structured_content["closure"]["phase"] == "RUNNING"  # type: ignore[index]
    assert json.loads(fetched.content[0].text)["id"]["name"] == name  # type: ignore[union-attr]

    listed_page = await client.call_tool(
        "list-workflow-executions",
        {"id.project": "mcp", "id.domain": "dev", "query": {"limit": 50}},
    )
    assert not listed_page.is_error
    names = [e["id"]["name"] for e in listed_page.structured_content["executions"]]  # type: ignore[index]
    assert name in names

    terminated = await client.call_tool(
        "terminate-workflow-execution", {**ids, "body": {"cause": "agent stopped it"}}
    )
    assert not terminated.is_error
    after = await client.call_tool("retrieve-workflow-execution", ids)
    assert after.structured_content["closure"]["phase"] == "ABORTED"  # type: ignore[index]

    metrics = await client.call_tool("retrieve-execution-metrics", ids)
    assert not metrics.is_error

    missing = await client.call_tool(
        "retrieve-workflow-execution", {**ids, "id.name": "doesnotexist"}
    )
    assert missing.is_error
    assert "404" in missing.content[0].text  # type: ignore[union-attr]
    assert 'name:"doesnotexist"' in missing.content[0].text  # type: ignore[union-attr]

    no_limit = await client.call_tool(
        "list-workflow-executions", {"id.project": "mcp", "id.domain": "dev"}
    )
    assert no_limit.is_error
    assert "limit" in no_limit.content[0].text  # type: ignore[union-attr]

    bad_args = await client.call_tool("retrieve-workflow-execution", {"id.project": "mcp"})
    assert bad_args.is_error
    assert "id.domain" in bad_args.content[0].text  # type: ignore[union-attr]


def test_mcp_over_streamable_http(flyte_servers: ServerProcess) -> None:
    async def run() -> None:
        async with Client(flyte_servers.url("MCP") + "/mcp") as client:
            await mcp_scenario(client)

    anyio.run(run)


def test_mcp_over_streamable_http_legacy_handshake(flyte_servers: ServerProcess) -> None:
    """Clients that speak the pre-2026 initialize handshake are served too."""

    async def run() -> None:
        async with Client(flyte_servers.url("MCP") + "/mcp", mode="legacy") as client:
            result = await client.call_tool(
                "list-workflow-executions",
                {"id.project": "mcp", "id.domain": "dev", "query": {"limit": 1}},
            )
            assert not result.is_error

    anyio.run(run)


def test_mcp_over_stdio(flyte_site: Path, simulator: str) -> None:
    env = flyte_env(flyte_site, simulator)
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", FLYTE_PACKAGE, "mcp", "--transport", "stdio"],
        env={**env, "PATH": "/usr/bin:/bin"},
    )

    async def run() -> None:
        async with Client(parameters) as client:
            await mcp_scenario(client)

    anyio.run(run)
