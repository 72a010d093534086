"""The Flyte capability built with the Flyte Admin OpenAPI document (``--openapi``), served.

Over real sockets the `mcp` client (which validates structured content against the output
schema) reads the simulator's answers, 64-bit integers written as strings included; an
ill-typed body is refused by MCP and REST before anything reaches the upstream; the REST
adapter's OpenAPI document carries the same schemas. ``tests/test_openapi_flyte.py`` checks
the schemas of the build itself.
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
from jsonschema import Draft202012Validator
from mcp import Client
from syrupy.assertion import SnapshotAssertion

from naftiko_codegen.output import write_tree

from ..conftest import FLYTE_PACKAGE, ServerProcess, flyte_env, pip_install, start_server
from ..flyte_support import OPENAPI, create_body, enriched
from ..proxy_support import RecordingUpstream
from .test_e2e_flyte import PREFIX, unique_name

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = enriched(OPENAPI)
    root = tmp_path_factory.mktemp("flyte-openapi")
    write_tree(root / "out", built.files, built.spec_digest)
    return pip_install(root / "out", root / "site")


def serve(site: Path, upstream: str) -> ServerProcess:
    return start_server(
        [sys.executable, "-m", FLYTE_PACKAGE, "all"], expected=2, env=flyte_env(site, upstream)
    )


@pytest.fixture(scope="module")
def against_simulator(site: Path, simulator: str) -> Iterator[ServerProcess]:
    server = serve(site, simulator)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def against_recorder(site: Path, recording_upstream: RecordingUpstream) -> Iterator[ServerProcess]:
    server = serve(site, recording_upstream.url)
    try:
        yield server
    finally:
        server.stop()


def test_enriched_tools_list_snapshot(
    against_simulator: ServerProcess, snapshot: SnapshotAssertion
) -> None:
    async def listed() -> list[dict[str, Any]]:
        async with Client(against_simulator.url("MCP") + "/mcp") as client:
            tools = (await client.list_tools()).tools
        return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]

    assert json.dumps(anyio.run(listed), indent=1, sort_keys=True) == snapshot


def test_answers_of_the_simulator_match_the_output_schemas(
    against_simulator: ServerProcess,
) -> None:
    name = unique_name()
    ids = {"id.project": "typed", "id.domain": "dev", "id.name": name}

    async def run() -> None:
        async with Client(against_simulator.url("MCP") + "/mcp") as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            created = await client.call_tool(
                "create-workflow-execution", {"body": create_body("typed", "dev", name)}
            )
            assert not created.is_error, created.content
            # the client checks structured content against the output schema and raises
            fetched = await client.call_tool("retrieve-workflow-execution", ids)
            assert not fetched.is_error, fetched.content
            execution = fetched.structured_content
            assert execution is not None
            assert execution["spec"]["metadata"]["nesting"] == "0"  # int64, as grpc-gateway writes
            schema = tools["retrieve-workflow-execution"].output_schema
            assert schema is not None and schema["properties"]["closure"]["type"] == [
                "object",
                "null",
            ]
            Draft202012Validator(schema).validate(execution)
            listed = await client.call_tool(
                "list-workflow-executions",
                {
                    "id.project": "typed",
                    "id.domain": "dev",
                    "limit": 10,
                    "sort_by.key": "created_at",
                    "sort_by.direction": "ASCENDING",
                },
            )
            assert not listed.is_error, listed.content
            assert name in [e["id"]["name"] for e in listed.structured_content["executions"]]  # type: ignore[index]
            metrics = await client.call_tool("retrieve-execution-metrics", {**ids, "depth": 2})
            assert not metrics.is_error, metrics.content

    anyio.run(run)


def test_an_ill_typed_body_never_reaches_the_upstream(
    against_recorder: ServerProcess, upstream: RecordingUpstream
) -> None:
    wrong = {**create_body("p", "d", "n"), "spec": {"launch_plan": 42}}

    async def call(arguments: dict[str, Any]) -> Any:
        async with Client(against_recorder.url("MCP") + "/mcp") as client:
            return await client.call_tool("create-workflow-execution", arguments)

    refused = anyio.run(call, {"body": wrong})
    assert refused.is_error and refused.structured_content is None
    assert "body.spec.launch_plan: 42 is not of type 'object'" in refused.content[0].text
    response = httpx.post(
        against_recorder.url("REST") + f"{PREFIX}/executions", json=wrong, timeout=30
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "body.spec.launch_plan"
    assert response.json()["location"] == "body"
    assert upstream.requests == []
    accepted = anyio.run(call, {"body": create_body("p", "d", "n")})
    assert not accepted.is_error, accepted.content
    assert json.loads(upstream.only().body)["spec"]["launch_plan"]["name"] == "daily"


def test_the_rest_openapi_document_carries_the_schemas(against_simulator: ServerProcess) -> None:
    document = httpx.get(against_simulator.url("REST") + "/openapi.json", timeout=30).json()
    create = document["paths"]["/v1/api/v1/executions"]["post"]
    request = create["requestBody"]
    assert request["required"] is True
    body = request["content"]["application/json"]["schema"]
    assert body["properties"]["spec"]["properties"]["launch_plan"]["type"] == "object"
    answer = create["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["properties"]["id"]["type"] == ["object", "null"]
    fetch = document["paths"]["/v1/api/v1/executions/{id-project}/{id-domain}/{id-name}"]["get"]
    execution = fetch["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"id", "spec", "closure"} <= set(execution["properties"])
    project = next(p for p in fetch["parameters"] if p["name"] == "id-project")
    assert project["description"] == "Name of the project the resource belongs to."
    components = document["components"]["schemas"]
    assert "Problem" in components and len(components) > 1
    text = json.dumps(document)
    for name in components:
        Draft202012Validator.check_schema(components[name])
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        assert ref.startswith("#/components/"), ref
        assert ref.rsplit("/", 1)[1] in components or ref.startswith("#/components/responses/")
