"""Tools an agent uses well, over real sockets with the `mcp` SDK client: the projection
argument, the answer-size cap, the run-time tool selection, progress notifications and
cancellation, error results without structured content, and both protocol revisions the
SDK serves (2026-07-28 requests and the initialize handshake).

The Flyte package runs in front of a recording upstream that can hold a request until the
test releases it and notices when the generated server gives a request up.
"""

from __future__ import annotations

import json
import select
import shutil
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest
import yaml
from mcp import Client

from ..conftest import (
    DATA,
    FLYTE_PACKAGE,
    FLYTE_PREFIX,
    FLYTE_SPEC,
    ServerProcess,
    build_into,
    flyte_env,
    pip_install,
    start_server,
)
from ..proxy_support import JSON_OK, Recorded, RecordingUpstream, Reply

T = TypeVar("T")
IDS = {"id.project": "p", "id.domain": "d", "id.name": "n"}
MODES = ["2026-07-28", "legacy"]
"""How the client talks: the current revision (no handshake) or the initialize handshake."""
DEADLINE = 20.0
ANSWER_LIMIT = 2000


class HoldingUpstream(RecordingUpstream):
    """A recording upstream whose ``hang`` mode holds each request until :meth:`reset`
    (then answers ``{"ok": true}``) and records when the client gives the request up."""

    def __init__(self) -> None:
        super().__init__()
        self.abandoned = threading.Event()

    def _answer(self, conn: socket.socket, reply: Reply, release: threading.Event) -> bool:
        if reply.mode != "hang":
            return super()._answer(conn, reply, release)
        deadline = time.monotonic() + 60
        while not release.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([conn], [], [], 0.05)
            if readable and conn.recv(1, socket.MSG_PEEK) == b"":
                self.abandoned.set()
                return False
        return super()._answer(conn, JSON_OK, release)

    def wait_for_request(self) -> Recorded:
        """The first request received since the last reset (waits, with a deadline)."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            with self._lock:
                if self.requests:
                    return self.requests[0]
            self.abandoned.wait(0.02)
        raise AssertionError("the upstream received no request in time")


@pytest.fixture(scope="module")
def holding() -> Iterator[HoldingUpstream]:
    upstream = HoldingUpstream()
    try:
        yield upstream
    finally:
        upstream.close()


@pytest.fixture
def upstream(holding: HoldingUpstream) -> Iterator[HoldingUpstream]:
    holding.reset()
    holding.abandoned.clear()
    yield holding
    holding.reset()


def serve(site: Path, upstream: str, **settings: str) -> ServerProcess:
    """The Flyte MCP server; its upstream timeouts far beyond the tests' deadlines, so that
    only a cancellation can end a held request in time."""
    settings = {"READ_TIMEOUT": "600", "TOTAL_TIMEOUT": "600", **settings}
    env = flyte_env(site, upstream, **{FLYTE_PREFIX + k: v for k, v in settings.items()})
    return start_server([sys.executable, "-m", FLYTE_PACKAGE, "mcp"], expected=1, env=env)


@pytest.fixture(scope="module")
def server(flyte_site: Path, holding: HoldingUpstream) -> Iterator[ServerProcess]:
    process = serve(flyte_site, holding.url, MCP_MAX_ANSWER_BYTES=str(ANSWER_LIMIT))
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def stateful_server(flyte_site: Path, holding: HoldingUpstream) -> Iterator[ServerProcess]:
    process = serve(flyte_site, holding.url, MCP_SESSIONS="stateful")
    try:
        yield process
    finally:
        process.stop()


def with_client(
    server: ServerProcess, use: Callable[[Client], Awaitable[T]], mode: str = "auto"
) -> T:
    async def run() -> T:
        async with Client(server.url("MCP") + "/mcp", mode=mode) as client:
            return await use(client)

    return anyio.run(run)


@pytest.mark.parametrize("mode", MODES)
def test_the_projection_returns_only_the_selected_part(
    server: ServerProcess, upstream: HoldingUpstream, mode: str
) -> None:
    execution = {"id": IDS, "closure": {"phase": "RUNNING", "outputs": {"x": 1}}}
    upstream.respond(body=json.dumps(execution))

    async def call(client: Client) -> Any:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        argument = tools["retrieve-workflow-execution"].input_schema["properties"]["jsonpath"]
        assert "JSONPath" in argument["description"]
        # the client validates the structured content against the output schema
        return await client.call_tool(
            "retrieve-workflow-execution", {**IDS, "jsonpath": "$.closure.phase"}
        )

    result = with_client(server, call, mode)
    assert not result.is_error, result.content
    assert json.loads(result.content[0].text) == ["RUNNING"]
    assert result.structured_content == {"matches": ["RUNNING"]}
    assert upstream.only().path == "/api/v1/executions/p/d/n"
    assert "jsonpath" not in upstream.only().query


def test_an_invalid_projection_is_refused_before_the_upstream(
    server: ServerProcess, upstream: HoldingUpstream
) -> None:
    result = with_client(
        server,
        lambda client: client.call_tool("retrieve-workflow-execution", {**IDS, "jsonpath": "$.["}),
    )
    assert result.is_error and result.structured_content is None
    assert "'jsonpath'" in result.content[0].text and "not a JSONPath" in result.content[0].text
    assert upstream.requests == []


def test_an_answer_over_the_cap_is_cut_with_a_note(
    server: ServerProcess, upstream: HoldingUpstream
) -> None:
    big = {"executions": [{"id": {"name": f"run-{i}"}, "note": "x" * 80} for i in range(100)]}
    upstream.respond(body=json.dumps(big))

    async def calls(client: Client) -> tuple[Any, Any]:
        whole = await client.call_tool(
            "list-workflow-executions", {"id.project": "p", "id.domain": "d"}
        )
        narrowed = await client.call_tool(
            "list-workflow-executions",
            {"id.project": "p", "id.domain": "d", "jsonpath": "$.executions[0:3].id.name"},
        )
        return whole, narrowed

    whole, narrowed = with_client(server, calls)
    assert not whole.is_error
    text = whole.content[0].text
    assert len(text.encode()) < ANSWER_LIMIT + 400
    assert text.startswith(json.dumps(big)[:100])
    assert f"over this server's limit of {ANSWER_LIMIT}" in text and "'jsonpath'" in text
    assert whole.structured_content is not None and "truncated" in whole.structured_content
    assert narrowed.structured_content == {"matches": ["run-0", "run-1", "run-2"]}


def test_error_results_carry_no_structured_content(
    server: ServerProcess, upstream: HoldingUpstream
) -> None:
    upstream.respond(500, body=json.dumps({"error": "boom", "detail": "y" * 5000}))

    async def calls(client: Client) -> list[Any]:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert tools["retrieve-workflow-execution"].output_schema is not None
        return [
            await client.call_tool("retrieve-workflow-execution", IDS),
            await client.call_tool("retrieve-workflow-execution", {"id.project": 3}),
            await client.call_tool("no-such-tool", {}),
        ]

    for result in with_client(server, calls):
        assert result.is_error, result
        assert result.structured_content is None, result
    assert len(upstream.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_slow_call_reports_progress(
    server: ServerProcess, upstream: HoldingUpstream, mode: str
) -> None:
    upstream.reply(Reply("hang"))
    reports: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reports.append((progress, message))
        upstream.reset()  # the upstream answers once the first report arrived

    async def call(client: Client) -> Any:
        with anyio.fail_after(DEADLINE):
            return await client.call_tool(
                "retrieve-workflow-execution", IDS, progress_callback=on_progress
            )

    result = with_client(server, call, mode)
    assert not result.is_error, result.content
    assert result.structured_content == {"ok": True}
    assert reports and reports[0][0] >= 1.0
    assert "retrieve-workflow-execution" in (reports[0][1] or "")


def test_a_quick_call_reports_no_progress(server: ServerProcess, upstream: HoldingUpstream) -> None:
    reports: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reports.append(progress)

    result = with_client(
        server,
        lambda client: client.call_tool(
            "retrieve-workflow-execution", IDS, progress_callback=on_progress
        ),
    )
    assert not result.is_error and reports == []


@pytest.mark.parametrize(("mode", "sessions"), [("2026-07-28", False), ("legacy", True)])
def test_a_cancelled_call_cancels_its_upstream_request(
    server: ServerProcess,
    stateful_server: ServerProcess,
    upstream: HoldingUpstream,
    mode: str,
    sessions: bool,
) -> None:
    """A 2026-07-28 client cancels by closing the response, which reaches the call on the
    default stateless server; a handshake-era client sends ``notifications/cancelled`` in
    a request of its own, which only a server keeping sessions (``MCP_SESSIONS=stateful``)
    can route to the call."""
    upstream.reply(Reply("hang"))

    async def call_then_cancel(client: Client) -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(client.call_tool, "retrieve-workflow-execution", IDS)
            await anyio.to_thread.run_sync(upstream.wait_for_request)
            group.cancel_scope.cancel()
        assert await anyio.to_thread.run_sync(upstream.abandoned.wait, DEADLINE)
        # the session is still usable
        assert (await client.list_tools()).tools

    with_client(stateful_server if sessions else server, call_then_cancel, mode)
    assert upstream.abandoned.is_set()


@pytest.mark.parametrize("mode", MODES)
def test_both_revisions_list_the_tools_in_declared_order(
    server: ServerProcess, upstream: HoldingUpstream, mode: str
) -> None:
    async def twice(client: Client) -> tuple[list[str], list[str], str]:
        first = [tool.name for tool in (await client.list_tools()).tools]
        second = [tool.name for tool in (await client.list_tools(cache_mode="refresh")).tools]
        return first, second, client.protocol_version

    first, second, version = with_client(server, twice, mode)
    assert version == ("2026-07-28" if mode != "legacy" else "2025-11-25")
    declared = yaml.safe_load(FLYTE_SPEC.read_text(encoding="utf-8"))["capability"]["exposes"]
    tools = next(adapter["tools"] for adapter in declared if adapter["type"] == "mcp")
    assert first == second == [tool["name"] for tool in tools]


@pytest.mark.parametrize(
    ("settings", "served"),
    [
        (
            {"MCP_READ_ONLY": "true"},
            [
                "list-workflow-executions",
                "retrieve-workflow-execution",
                "retrieve-execution-metrics",
            ],
        ),
        (
            {"MCP_TOOLS": "retrieve-*, terminate-workflow-execution"},
            [
                "retrieve-workflow-execution",
                "terminate-workflow-execution",
                "retrieve-execution-metrics",
            ],
        ),
        ({"MCP_READ_ONLY": "yes", "MCP_TOOLS": "*-execution"}, ["retrieve-workflow-execution"]),
    ],
    ids=["read-only", "globs", "both"],
)
def test_the_tool_selection_governs_listing_and_calls(
    flyte_site: Path, upstream: HoldingUpstream, settings: dict[str, str], served: list[str]
) -> None:
    process = serve(flyte_site, upstream.url, **settings)

    async def use(client: Client) -> tuple[list[str], Any]:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        refused = await client.call_tool("create-workflow-execution", {"body": {}})
        return listed, refused

    try:
        listed, refused = with_client(process, use)
        allowed = with_client(process, lambda c: c.call_tool("retrieve-workflow-execution", IDS))
    finally:
        process.stop()
    assert listed == served
    assert (
        refused.is_error and "Unknown tool 'create-workflow-execution'" in refused.content[0].text
    )
    assert allowed.structured_content == {"ok": True}
    assert len(upstream.requests) == 1 and upstream.requests[0].method == "GET"


def test_the_tag_selection_governs_listing_and_calls(
    tmp_path: Path, upstream: HoldingUpstream
) -> None:
    """A beta5 tool's ``tags`` select it at run time (the shipyard, its greeter tagged)."""
    source = DATA / "beta5" / "shipyard"
    copy = tmp_path / "shipyard"
    shutil.copytree(source, copy)
    spec = copy / "shipyard.yml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(
        text.replace('display: "Greet"\n', 'display: "Greet"\n          tags: [crew]\n', 1),
        encoding="utf-8",
    )
    cap = build_into(spec, tmp_path / "out").capability
    site = pip_install(tmp_path / "out", tmp_path / "site")
    prefix = cap.env_prefix + "_"
    env = {
        "PYTHONPATH": str(site),
        "REGISTRY_TOKEN": "t",
        cap.apis[0].base_uri_env: upstream.url + "/v1",
        prefix + "MCP_PORT": "0",
        prefix + "MCP_TOOL_TAGS": "crew, ops",
    }
    process = start_server([sys.executable, "-m", cap.package, "mcp"], expected=1, env=env)

    async def use(client: Client) -> tuple[list[str], Any, Any]:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        greeted = await client.call_tool("greet", {"captain": "Ahab"})
        refused = await client.call_tool("ship-summary", {"imo": "9321483"})
        return listed, greeted, refused

    try:
        listed, greeted, refused = with_client(process, use)
    finally:
        process.stop()
    assert listed == ["greet"]
    assert greeted.structured_content == {"message": "Welcome aboard, Ahab!"}
    assert refused.is_error and "Unknown tool 'ship-summary'" in refused.content[0].text
    assert upstream.requests == []
