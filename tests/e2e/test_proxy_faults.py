"""Fault injection: what the REST and MCP adapters do when the upstream misbehaves.

Every case runs against each of the four capabilities, through both adapters, with the
upstream told to refuse, hang, close, answer garbage, fail with 5xx, answer non-JSON, or
stream an endless body. Each call must come back within the configured timeout (plus a
margin), with an RFC 9457 problem on REST or an ``isError`` tool result on MCP that names
the upstream operation and contains no secret, and the server must keep serving.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

pytest.register_assert_rewrite("tests.proxy_support")

from ..proxy_support import (  # noqa: E402
    ALL_SECRETS,
    MAX_RESPONSE_BYTES,
    READ_TIMEOUT,
    TOTAL_TIMEOUT,
    Installed,
    Recorded,
    RecordingUpstream,
    Reply,
    Running,
    Timer,
    assert_no_secrets,
    closed_port,
    start_logged_server,
)

pytest_plugins = ["tests.proxy_support"]
pytestmark = pytest.mark.e2e

MARGIN = 3.0
"""Seconds allowed on top of the configured timeout (process scheduling on a busy CI box)."""


@dataclass(frozen=True)
class Probe:
    """One representative call per adapter, and the upstream operation each one reaches."""

    rest_path: str
    rest_operation: str
    tool: str
    tool_operation: str
    tool_args: dict[str, Any]
    rest_params: dict[str, str] = field(default_factory=dict)
    rest_headers: dict[str, str] = field(default_factory=dict)


GITHUB_HEADERS = {"X-GitHub-Api-Version": "2022-11-28", "Accept": "application/json"}
PROBES = {
    "twilio": Probe(
        "/v1/accounts/AC1/calls-json",
        "voice-calls.listcalls",
        "twilio-fetch-call",
        "voice-calls.fetchcall",
        {"AccountSid": "AC1", "CallSid": "CA1"},
        rest_params={k: "1" for k in ("To", "From", "Status", "StartTime", "EndTime", "PageSize")},
    ),
    "hubspot": Probe(
        "/v1/feature-flags/v3/a/flags/f/portals/1",
        "crm-feature-flags-portal-flag-states.getportalflagstate",
        "hubspot-list-portal-flag-states",
        "crm-feature-flags-portal-flag-states.listportalflagstates",
        {"appId": "a", "flagName": "f", "limit": 1, "after": "x"},
    ),
    "anthropic": Probe(
        "/v1/skills",
        "skills-skills.listskills",
        "anthropic-get-skill",
        "skills-skills.getskill",
        {"skill_id": "skill_1"},
    ),
    "github": Probe(
        "/v1/repos/o/r/milestones/1",
        "repos-milestones.getmilestone",
        "github-get-milestone",
        "repos-milestones.getmilestone",
        {"owner": "o", "repo": "r", "milestone_number": "1", **GITHUB_HEADERS},
        rest_headers=GITHUB_HEADERS,
    ),
}
KEYS = sorted(PROBES)


@dataclass
class Outcome:
    """What both adapters answered for the probe, and how long each took."""

    rest: httpx.Response
    rest_seconds: float
    tool_error: bool
    tool_text: str
    tool_structured: Any
    tool_seconds: float

    def problem(self) -> dict[str, Any]:
        """The REST answer as an RFC 9457 problem (checked to be one)."""
        assert self.rest.headers["content-type"] == "application/problem+json"
        problem = self.rest.json()
        assert {"type", "title", "status", "detail"} <= set(problem)
        assert problem["status"] == self.rest.status_code
        return problem  # type: ignore[no-any-return]


def probe(running: Running, key: str) -> Outcome:
    """Call the probe once through REST and once through MCP."""
    spec = PROBES[key]
    with Timer() as rest_timer:
        response = httpx.get(
            running.rest + spec.rest_path,
            params=spec.rest_params,
            headers=spec.rest_headers,
            timeout=READ_TIMEOUT * 10 + 30,
        )

    async def call() -> tuple[bool, str, Any, float]:
        with anyio.fail_after(READ_TIMEOUT * 10 + 30):
            async with Client(running.mcp) as client:
                with Timer() as timer:
                    result = await client.call_tool(spec.tool, spec.tool_args)
        text = "".join(getattr(block, "text", "") for block in result.content)
        return result.is_error, text, result.structured_content, timer.elapsed

    is_error, text, structured, seconds = anyio.run(call)
    outcome = Outcome(response, rest_timer.elapsed, is_error, text, structured, seconds)
    assert_no_secrets(response.text, ALL_SECRETS, "a REST answer")
    assert_no_secrets(text + json.dumps(structured), ALL_SECRETS, "a tool result")
    return outcome


def assert_still_serving(running: Running, upstream: RecordingUpstream, key: str) -> None:
    """After a fault, a normal exchange works again on both adapters."""
    upstream.respond(200, b'{"fine":true}')
    outcome = probe(running, key)
    assert outcome.rest.status_code == 200 and outcome.rest.json() == {"fine": True}
    assert not outcome.tool_error and json.loads(outcome.tool_text) == {"fine": True}
    running.server.assert_alive()


@pytest.fixture(params=KEYS)
def target(
    request: pytest.FixtureRequest,
    servers: dict[str, Running],
    upstream: RecordingUpstream,
) -> Iterator[tuple[str, Running, RecordingUpstream]]:
    """(capability key, its running servers, the upstream) — one test per capability."""
    yield request.param, servers[request.param], upstream


# --- connection-level faults --------------------------------------------------------------


@pytest.fixture(scope="module", params=KEYS)
def refused(
    request: pytest.FixtureRequest, installed: dict[str, Installed]
) -> Iterator[tuple[str, Running]]:
    """Servers whose upstream base URL points at a port nobody listens on."""
    item = installed[request.param]
    server = start_logged_server(
        item.command("all"), 2, item.env(f"http://127.0.0.1:{closed_port()}/base")
    )
    try:
        yield request.param, Running(item, server)
    finally:
        server.stop()
    assert_no_secrets(server.log(), ALL_SECRETS, f"the {request.param} server log")


def test_connection_refused_is_502(refused: tuple[str, Running]) -> None:
    key, running = refused
    outcome = probe(running, key)
    assert outcome.rest.status_code == 502
    problem = outcome.problem()
    assert problem["title"] == "Upstream unavailable"
    assert problem["upstream"] == PROBES[key].rest_operation
    assert "could not be reached" in problem["detail"]
    assert outcome.tool_error
    assert PROBES[key].tool_operation in outcome.tool_text
    assert "could not be reached" in outcome.tool_text
    assert outcome.rest_seconds < 1 + MARGIN and outcome.tool_seconds < 1 + MARGIN
    running.server.assert_alive()


def test_hang_past_the_read_timeout_is_504(
    target: tuple[str, Running, RecordingUpstream],
) -> None:
    key, running, upstream = target
    upstream.reply(Reply("hang"))
    outcome = probe(running, key)
    assert outcome.rest.status_code == 504
    problem = outcome.problem()
    assert problem["title"] == "Upstream timeout"
    assert problem["upstream"] == PROBES[key].rest_operation
    assert outcome.tool_error
    assert PROBES[key].tool_operation in outcome.tool_text
    assert "did not answer in time" in outcome.tool_text
    for seconds in (outcome.rest_seconds, outcome.tool_seconds):
        assert READ_TIMEOUT * 0.9 <= seconds < READ_TIMEOUT + MARGIN
    upstream.reset()
    assert_still_serving(running, upstream, key)


@pytest.mark.parametrize("mode", ["close", "garbage"])
def test_broken_connection_or_garbage_is_502(
    target: tuple[str, Running, RecordingUpstream], mode: str
) -> None:
    key, running, upstream = target
    upstream.reply(Reply(mode))  # type: ignore[arg-type]
    outcome = probe(running, key)
    assert outcome.rest.status_code == 502
    problem = outcome.problem()
    assert problem["title"] == "Upstream unavailable"
    assert problem["upstream"] == PROBES[key].rest_operation
    assert outcome.tool_error
    assert PROBES[key].tool_operation in outcome.tool_text
    assert outcome.rest_seconds < MARGIN and outcome.tool_seconds < MARGIN
    assert_still_serving(running, upstream, key)


def test_endless_body_is_cut_at_the_cap(
    target: tuple[str, Running, RecordingUpstream],
) -> None:
    """A body that never ends must be refused once it passes MAX_RESPONSE_BYTES: the
    call returns (so the server did not try to hold it all) within the timeout."""
    key, running, upstream = target
    upstream.reply(Reply("endless"))
    outcome = probe(running, key)
    assert outcome.rest.status_code == 502
    problem = outcome.problem()
    assert problem["title"] == "Upstream response too large"
    assert str(MAX_RESPONSE_BYTES) in problem["detail"]
    assert problem["upstream"] == PROBES[key].rest_operation
    assert outcome.tool_error
    assert PROBES[key].tool_operation in outcome.tool_text
    assert str(MAX_RESPONSE_BYTES) in outcome.tool_text
    assert outcome.rest_seconds < READ_TIMEOUT + MARGIN
    assert outcome.tool_seconds < READ_TIMEOUT + MARGIN
    upstream.reset()
    assert_still_serving(running, upstream, key)


def test_response_size_cap_boundary(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """Exactly MAX_RESPONSE_BYTES passes; one byte more is a 502 (Content-Length bodies)."""
    running = servers["anthropic"]
    exact = b'"' + b"a" * (MAX_RESPONSE_BYTES - 2) + b'"'
    upstream.respond(200, exact)
    response = httpx.get(running.rest + "/v1/skills", timeout=30)
    assert response.status_code == 200 and response.content == exact
    upstream.respond(200, exact + b" ")
    response = httpx.get(running.rest + "/v1/skills", timeout=30)
    assert response.status_code == 502
    assert response.json()["title"] == "Upstream response too large"


def test_compressed_body_is_capped_after_decompression(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """A small gzip body that inflates past MAX_RESPONSE_BYTES (a "zip bomb") is refused:
    the cap counts decoded bytes."""
    bomb = gzip.compress(b"0" * (MAX_RESPONSE_BYTES * 8))
    assert len(bomb) < MAX_RESPONSE_BYTES // 10
    upstream.respond(200, bomb, headers=[("Content-Encoding", "gzip")])
    outcome = probe(servers["github"], "github")
    assert outcome.rest.status_code == 502
    assert outcome.problem()["title"] == "Upstream response too large"
    assert outcome.tool_error and str(MAX_RESPONSE_BYTES) in outcome.tool_text


def test_slow_drip_is_bounded(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    running = servers["anthropic"]
    upstream.reply(Reply("drip"))
    limit = TOTAL_TIMEOUT + MARGIN
    try:
        response = httpx.get(running.rest + "/v1/skills", timeout=limit)
    except httpx.ReadTimeout:
        pytest.fail(f"no answer within {limit} s")
    assert response.status_code == 504, response.text
    assert "did not finish answering within" in response.json()["detail"]


# --- upstream answers passed through --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "content_type", "body", "expected_message"),
    [
        (503, "application/json", b'{"message":"over capacity, retry later"}', "over capacity"),
        (500, "text/html; charset=utf-8", b"<html><h1>Internal Error</h1></html>", "<h1>"),
        (502, "text/plain", b"bad gateway upstream", "bad gateway upstream"),
        (404, "application/json", b'{"error":{"type":"not_found"}}', "not_found"),
        (429, None, b"", "429"),
    ],
)
def test_upstream_errors_pass_through(
    target: tuple[str, Running, RecordingUpstream],
    status: int,
    content_type: str | None,
    body: bytes,
    expected_message: str,
) -> None:
    key, running, upstream = target
    upstream.respond(status, body, content_type)
    outcome = probe(running, key)
    assert outcome.rest.status_code == status
    assert outcome.rest.content == body
    assert outcome.rest.headers.get("content-type") == content_type
    assert outcome.tool_error
    assert f"HTTP {status}" in outcome.tool_text
    assert expected_message in outcome.tool_text
    assert PROBES[key].tool_operation in outcome.tool_text
    assert outcome.rest_seconds < MARGIN and outcome.tool_seconds < MARGIN


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain; charset=utf-8", "plain text, not JSON ✓".encode()),
        ("text/html", b"<!doctype html><p>hello</p>"),
        ("application/json", b""),
        (None, b""),
        ("application/octet-stream", b"\x00\x01binary"),
        ("application/json", b"{truncated"),
    ],
)
def test_non_json_success_bodies(
    target: tuple[str, Running, RecordingUpstream], content_type: str | None, body: bytes
) -> None:
    key, running, upstream = target
    upstream.respond(200, body, content_type)
    outcome = probe(running, key)
    assert outcome.rest.status_code == 200
    assert outcome.rest.content == body
    assert outcome.rest.headers.get("content-type") == content_type
    assert not outcome.tool_error, outcome.tool_text
    assert outcome.tool_text == body.decode("utf-8", errors="replace")


def test_every_request_reached_the_upstream_once(
    target: tuple[str, Running, RecordingUpstream],
) -> None:
    """Faults are not retried behind the caller's back (non-idempotent calls stay single)."""
    key, running, upstream = target
    upstream.reply(Reply("close"))
    probe(running, key)
    seen: list[Recorded] = list(upstream.requests)
    assert len(seen) == 2, seen  # one REST call, one tool call
