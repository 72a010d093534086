"""No name can break the wire: the hostile capability of ``tests/hostile_spec.py`` (every name
a Python keyword, a builtin, a module name or a name the generated code uses) is installed
and its REST and MCP servers, on 127.0.0.1 in front of a recording upstream, pass every
value to the right place (``tests/test_hostile_names.py`` checks the build).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import pip_install, start_server
from ..hostile_spec import build_hostile, hostile_names, name_pairs
from ..proxy_support import RecordingUpstream, upstream_fixture

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile capability built and installed; the site folder to put on the path."""
    root = tmp_path_factory.mktemp("hostile")
    return pip_install(build_hostile(root), root / "site")


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    yield from upstream_fixture()


@pytest.fixture(scope="module")
def servers(site: Path, upstream: RecordingUpstream) -> Iterator[tuple[str, str]]:
    """The hostile package's REST and MCP servers in front of the recording upstream."""
    prefix = "CLASS_CAPABILITY_"
    server = start_server(
        [sys.executable, "-m", "class_capability", "all"],
        expected=2,
        env={
            "PYTHONPATH": str(site),
            prefix + "OPEN_BASE_URL": upstream.url,
            prefix + "REST_PORT": "0",
            prefix + "MCP_PORT": "0",
        },
    )
    try:
        yield server.url("REST"), server.url("MCP") + "/mcp"
    finally:
        server.stop()


def _pairs() -> list[tuple[int, str, str]]:
    return [(i, n, q) for i, (n, q) in enumerate(name_pairs(hostile_names()))]


def test_every_rest_route_passes_its_values_through(
    servers: tuple[str, str], upstream: RecordingUpstream
) -> None:
    rest, _ = servers
    with httpx.Client(base_url=rest, timeout=10) as client:
        for index, _, query in _pairs():
            upstream.reset()
            answer = client.get(f"/v1/r{index}/p-{index}", params={query: f"q-{index}"})
            assert answer.status_code == 200, (index, answer.text)
            sent = upstream.only()
            expected = (f"/r{index}/items/p-{index}", [(query, f"q-{index}")])
            assert (sent.path, sent.query_pairs()) == expected


def test_every_mcp_tool_passes_its_values_through(
    servers: tuple[str, str], upstream: RecordingUpstream
) -> None:
    import anyio
    from mcp import Client

    _, mcp_url = servers

    async def call_all() -> None:
        async with Client(mcp_url) as client:
            listed = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert sorted(listed) == sorted(hostile_names())
            for index, name, query in _pairs():
                assert listed[name].input_schema["required"] == [name]
                upstream.reset()
                result = await client.call_tool(name, {name: f"p-{index}", query: f"q-{index}"})
                assert not result.is_error, (name, result.content)
                sent = upstream.only()
                assert sent.path == f"/r{index}/items/p-{index}"
                assert sent.query_pairs() == [(query, f"q-{index}")]

    anyio.run(call_all)
