"""A beta5 capability served for real: ``tests/data/beta5/shipyard/shipyard.yml``.

Its consumed API and its aggregate are imported (``from:``) from standalone files; the
package is built, pip-installed and started (REST and MCP on free ports of 127.0.0.1), with a
recording upstream standing in for the registry. Clients are real: httpx for REST, the
``mcp`` SDK client for MCP.
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

from ..conftest import DATA, ServerProcess, build_into, pip_install, start_server
from ..proxy_support import Recorded, RecordingUpstream, Reply

SPEC = DATA / "beta5" / "shipyard" / "shipyard.yml"
TOKEN = "registry-secret-token"
SHIPS = {
    "ships": [
        {"imo_number": "9321483", "vessel_name": "Ever Given", "status": "active"},
        {"imo_number": "9811000", "vessel_name": "Ever Ace", "status": "active"},
    ]
}
SHIP = {"imo_number": "9321483", "vessel_name": "Ever Given", "year_built": 2018}

pytestmark = pytest.mark.e2e


class Registry(RecordingUpstream):
    """The registry: the ship list at ``/v1/ships``, one ship at ``/v1/ships/<imo>``."""

    def _reply_to(self, request: Recorded) -> Reply:
        if request.path == "/v1/ships":
            return Reply(body=json.dumps(SHIPS).encode())
        if request.path.startswith("/v1/ships/"):
            return Reply(body=json.dumps(SHIP).encode())
        return Reply(status=404, body=b'{"message": "no such path"}')


class Shipyard:
    """The shipyard package built, installed and serving REST and MCP."""

    def __init__(self, root: Path, registry: Registry) -> None:
        result = build_into(SPEC, root / "out")
        site = pip_install(root / "out", root / "site")
        cap = result.capability
        self.language = cap.language
        prefix = cap.env_prefix + "_"
        env = {"PYTHONPATH": str(site), "REGISTRY_TOKEN": TOKEN, prefix + "LOG_LEVEL": "WARNING"}
        env[cap.apis[0].base_uri_env] = registry.url + "/v1"
        for adapter in [*cap.rest_adapters, *cap.listeners]:
            env[f"{prefix}{adapter.key.upper()}_PORT"] = "0"
        self.server: ServerProcess = start_server(
            [sys.executable, "-m", cap.package, "all"], expected=2, env=env
        )

    def rest(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.server.url("REST") + path, params=params, timeout=30)

    def mcp(self, action: Any, mode: str = "auto") -> Any:
        """Run ``action(client)`` with an MCP client connected to the server (``mode``: the
        client's, ``legacy`` for the initialize handshake)."""

        async def run() -> Any:
            async with Client(self.server.url("MCP") + "/mcp", mode=mode) as client:
                return await action(client)

        return anyio.run(run)


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    server = Registry()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def shipyard(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Iterator[Shipyard]:
    started = Shipyard(tmp_path_factory.mktemp("shipyard"), registry)
    try:
        yield started
    finally:
        started.server.stop()


@pytest.fixture
def upstream(registry: Registry) -> Registry:
    registry.reset()
    return registry


def test_the_spec_is_read_as_beta5(shipyard: Shipyard) -> None:
    assert shipyard.language == "Ikanos 1.0.0-beta5"


def test_rest_route_calls_the_imported_api(shipyard: Shipyard, upstream: Registry) -> None:
    response = shipyard.rest("/ships", status="active")
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"imo": "9321483", "name": "Ever Given"},
        {"imo": "9811000", "name": "Ever Ace"},
    ]
    request = upstream.only()
    assert (request.method, request.path, request.query) == ("GET", "/v1/ships", "status=active")
    assert request.header("Authorization") == f"Bearer {TOKEN}"


def test_rest_route_takes_over_an_imported_flow(shipyard: Shipyard, upstream: Registry) -> None:
    response = shipyard.rest("/ships/9321483")
    assert response.status_code == 200, response.text
    assert response.json() == {"imo": "9321483", "name": "Ever Given"}
    assert upstream.only().path == "/v1/ships/9321483"


def test_mock_tool_answers_without_the_registry(shipyard: Shipyard, upstream: Registry) -> None:
    result = shipyard.mcp(lambda client: client.call_tool("greet", {"captain": "Ada"}))
    assert not result.is_error, result.content
    assert result.structured_content == {"message": "Welcome aboard, Ada!"}
    assert upstream.requests == []


def test_tool_takes_over_the_flow_with_its_semantics(
    shipyard: Shipyard, upstream: Registry
) -> None:
    async def list_and_call(client: Any) -> tuple[Any, Any]:
        return await client.list_tools(), await client.call_tool("ship-summary", {"imo": "9321483"})

    listed, result = shipyard.mcp(list_and_call)
    tool = next(t for t in listed.tools if t.name == "ship-summary")
    assert tool.description == (
        "A ship's summary: IMO number and name.\n\nCalls GET /ships/{{imo}} of the API `registry`."
    )
    assert tool.annotations.read_only_hint is True and tool.annotations.idempotent_hint is True
    assert result.structured_content == {"imo": "9321483", "name": "Ever Given"}
    assert upstream.only().path == "/v1/ships/9321483"


@pytest.mark.parametrize("mode", ["2026-07-28", "legacy"])
def test_list_and_read_results_carry_the_cache_hints(
    shipyard: Shipyard, upstream: Registry, mode: str
) -> None:
    async def lists(client: Any) -> list[Any]:
        return [
            await client.list_tools(),
            await client.list_resources(),
            await client.read_resource("shipyard://fleet"),
        ]

    # the hints are 2026-07-28 vocabulary: the handshake-era revision answers without them
    # (the client then reads its defaults, 0 ms and private)
    hint = (60000, "public") if mode == "2026-07-28" else (0, "private")
    for result in shipyard.mcp(lists, mode):
        assert (result.ttl_ms, result.cache_scope) == hint, type(result).__name__
    assert upstream.only().path == "/v1/ships"
