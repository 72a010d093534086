"""Two replicas of the generated Flyte package behind a real round-robin HAProxy: clients of
both MCP protocol eras and REST clients are served with no error, also while one replica
is killed."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client

from ..conftest import FLYTE_PACKAGE, ServerProcess, flyte_env, start_server
from ..load_balancer import HAPROXY_MISSING, LoadBalancer, haproxy_binary, start_haproxy

pytestmark = pytest.mark.e2e

CALLS = 100
LIST_ARGUMENTS = {"id.project": "replicas", "id.domain": "dev", "query": {"limit": 1}}


@dataclass
class Cluster:
    """Two replicas (each serving REST and MCP) and the load balancer in front of them."""

    replicas: list[ServerProcess]
    balancer: LoadBalancer

    def kill(self, index: int) -> None:
        """Kill replica ``index`` abruptly (SIGKILL: no graceful shutdown)."""
        process = self.replicas[index].process
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def cluster(flyte_site: Path, simulator: str, tmp_path: Path) -> Iterator[Cluster]:
    """Two fresh replicas behind HAProxy (fresh, since a test may kill one)."""
    binary = haproxy_binary()
    if binary is None:
        pytest.skip(HAPROXY_MISSING)
    replicas: list[ServerProcess] = []
    balancer = None
    try:
        for _ in range(2):
            replicas.append(
                start_server(
                    [sys.executable, "-m", FLYTE_PACKAGE, "all"],
                    expected=2,
                    env=flyte_env(flyte_site, simulator),
                )
            )
        balancer = start_haproxy(
            binary,
            {
                "rest": [replica.url("REST") for replica in replicas],
                "mcp": [replica.url("MCP") for replica in replicas],
            },
            tmp_path,
        )
        yield Cluster(replicas, balancer)
    finally:
        if balancer is not None:
            balancer.stop()
        for replica in replicas:
            replica.stop()


async def _mcp_calls(url: str, mode: str, calls: int) -> list[str]:
    errors: list[str] = []
    async with Client(url + "/mcp", mode=mode) as client:  # type: ignore[arg-type]
        for _ in range(calls):
            result = await client.call_tool("list-workflow-executions", LIST_ARGUMENTS)
            if result.is_error:
                errors.append(str(result.content))
    return errors


def _rest_calls(client: httpx.Client, calls: int) -> list[str]:
    errors = []
    for _ in range(calls):
        response = client.get("/v1/api/v1/executions/replicas/dev", params={"limit": 1})
        if response.status_code != 200:
            errors.append(f"{response.status_code} {response.text}")
    return errors


def _assert_both_served(cluster: Cluster, backend: str) -> None:
    answered = cluster.balancer.answered(backend)
    assert len(answered) == 2 and all(count > 0 for count in answered.values()), answered


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_mcp_calls_through_round_robin(cluster: Cluster, mode: str) -> None:
    """100 calls over one client connection, spread over both replicas, 0 errors; a
    legacy client's session must not be needed by the replica that did not open it."""
    errors = anyio.run(_mcp_calls, cluster.balancer.urls["mcp"], mode, CALLS)
    assert errors == []
    _assert_both_served(cluster, "mcp")


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_mcp_calls_continue_when_a_replica_is_killed(cluster: Cluster, mode: str) -> None:
    async def scenario() -> list[str]:
        url = cluster.balancer.urls["mcp"] + "/mcp"
        errors: list[str] = []
        async with Client(url, mode=mode) as client:  # type: ignore[arg-type]
            for call in range(CALLS):
                if call == CALLS // 2:
                    cluster.kill(0)
                result = await client.call_tool("list-workflow-executions", LIST_ARGUMENTS)
                if result.is_error:
                    errors.append(str(result.content))
        return errors

    assert anyio.run(scenario) == []
    assert cluster.replicas[0].process.poll() is not None


def test_rest_calls_through_round_robin(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.balancer.urls["rest"], timeout=10) as client:
        assert _rest_calls(client, CALLS) == []
    _assert_both_served(cluster, "rest")


def test_rest_calls_continue_when_a_replica_is_killed(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.balancer.urls["rest"], timeout=10) as client:
        errors = _rest_calls(client, CALLS // 2)
        cluster.kill(0)
        errors += _rest_calls(client, CALLS - CALLS // 2)
    assert errors == []
