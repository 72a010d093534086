"""A hypothesis-driven request fuzzer against the generated Flyte REST and MCP servers.

One ``all`` process serves both adapters in front of a recording upstream that always
answers 200, with a configured secret and DEBUG logs (the most the process ever writes).
Requests are random: methods, paths (the real routes with random segments, and anything
else), query strings, headers, bodies of random depth and size (past every limit), raw
bytes, and JSON-RPC envelopes of every shape (known and unknown methods, ids of any type,
tool calls with random arguments, inside a session and without one). The secret is mixed
into paths, queries, headers, bodies and arguments.

After every request: no 5xx (the upstream never sends one, so any would be ours), no
traceback in the log, the secret in no log line. After all of them: both servers still
answer. The budget is ``NAFTIKO_HOSTILE_EXAMPLES`` requests per adapter (default 100, well
under two minutes together); raise it for a long campaign. Examples are random on every
run (``NAFTIKO_HOSTILE_SEED`` fixes them); a failure prints the request that caused it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from ..conftest import FLYTE_PACKAGE, FLYTE_PREFIX
from ..proxy_support import LoggedServer, RecordingUpstream, start_logged_server

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("NAFTIKO_HOSTILE_EXAMPLES", "100"))
SEED = os.environ.get("NAFTIKO_HOSTILE_SEED")
SECRET = "fuzz-s3cret-7f3a9c"
ROUTES = (
    "/v1/api/v1/executions",
    "/v1/api/v1/executions/recover",
    "/v1/api/v1/executions/relaunch",
    "/v1/api/v1/executions/{}/{}",
    "/v1/api/v1/executions/{}/{}/{}",
    "/v1/api/v1/metrics/executions/{}/{}/{}",
    "/openapi.json",
    "/docs",
    "/",
)
TOOLS = (
    "create-workflow-execution",
    "list-workflow-executions",
    "retrieve-workflow-execution",
    "terminate-workflow-execution",
    "retrieve-execution-metrics",
)
MCP_METHODS = (
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "prompts/list",
    "notifications/initialized",
    "notifications/cancelled",
    "completion/complete",
    "logging/setLevel",
)


def fuzz_settings() -> settings:
    return settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],  # a failing request is reported as found, not shrunk
        print_blob=True,
    )


def seeded(test: Any) -> Any:
    return seed(int(SEED))(test) if SEED else test


# --- strategies -----------------------------------------------------------------------------

WORDS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [SECRET, "", ".", "..", "%2F", "%00", "a%2Fb", "é", "\u2028", "{x}", "1e309", "-1"]
    ),
)
SEGMENTS = st.one_of(
    WORDS.map(lambda text: quote(text, safe="%")),
    st.sampled_from([100, 65_536, 65_537, 70_000]).map(lambda n: "x" * n),
)
PATHS = st.one_of(
    st.tuples(st.sampled_from(ROUTES), st.lists(SEGMENTS, min_size=3, max_size=3)).map(
        lambda pair: pair[0].format(*pair[1])
    ),
    st.lists(SEGMENTS, max_size=6).map(lambda parts: "/" + "/".join(parts)),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | WORDS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(WORDS, inner, max_size=4),
    max_leaves=20,
)


def deep(depth: int, leaf: Any) -> bytes:
    """``leaf`` inside ``depth`` alternating arrays and objects (written as text: deeper
    than ``json.dumps`` can go)."""
    opening = "".join('{"k":' if index % 2 else "[" for index in range(depth))
    closing = "".join("}" if index % 2 else "]" for index in reversed(range(depth)))
    return (opening + json.dumps(leaf) + closing).encode()


BODIES = st.one_of(
    st.none(),
    JSON.map(lambda value: json.dumps(value).encode()),
    st.tuples(st.integers(0, 1500), JSON).map(lambda pair: deep(*pair)),
    st.binary(max_size=200),
    st.sampled_from([1000, 1_048_000, 1_100_000]).map(
        lambda n: json.dumps({"spec": "x" * n}).encode()
    ),
    st.integers(0, 2000).map(lambda n: b"[" * n),
)
HEADER_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40).map(
    str.strip  # h11 (the client) refuses to send surrounding whitespace
) | st.just(SECRET)
HEADERS = st.dictionaries(
    st.sampled_from(
        ["content-type", "accept", "x-request-id", "authorization", "cookie", "origin", "x-x"]
    ),
    HEADER_VALUES,
    max_size=4,
)
QUERIES = st.lists(st.tuples(WORDS, WORDS), max_size=4)
METHODS = st.sampled_from(
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]
)


def envelopes() -> st.SearchStrategy[Any]:
    """JSON-RPC messages, well-formed or not."""
    tool_call = st.fixed_dictionaries(
        {"name": st.sampled_from(TOOLS) | WORDS, "arguments": st.dictionaries(WORDS, JSON)}
    ) | st.fixed_dictionaries(
        {
            "name": st.sampled_from(TOOLS),
            "arguments": st.fixed_dictionaries(
                {"id.project": SEGMENTS, "id.domain": WORDS, "id.name": WORDS, "query": JSON}
            ),
        }
    )
    message = st.fixed_dictionaries(
        {
            "jsonrpc": st.sampled_from(["2.0", "1.0", ""]) | JSON,
            "id": st.integers() | st.text(max_size=10) | st.none() | JSON,
            "method": st.sampled_from(MCP_METHODS) | WORDS,
            "params": tool_call | JSON,
        },
        optional={"extra": JSON},
    )
    return st.one_of(message, st.lists(message, max_size=3), JSON)


# --- the servers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzzed(flyte_site: Path) -> Iterator[tuple[LoggedServer, RecordingUpstream]]:
    upstream = RecordingUpstream()
    env = {
        "PYTHONPATH": str(flyte_site),
        FLYTE_PREFIX + "ADMIN_EXECUTIONS_BASE_URL": upstream.url,
        FLYTE_PREFIX + "REST_PORT": "0",
        FLYTE_PREFIX + "MCP_PORT": "0",
        FLYTE_PREFIX + "LOG_LEVEL": "DEBUG",
        "FLYTE_API_KEY": SECRET,
    }
    server = start_logged_server([sys.executable, "-m", FLYTE_PACKAGE, "all"], 2, env)
    try:
        yield server, upstream
    finally:
        server.stop()
        upstream.close()


def check_answer(server: LoggedServer, mark: int, response: httpx.Response, what: str) -> None:
    log = server.log(mark)
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.text[:500]}"
    assert "Traceback" not in log, f"{what}: traceback in the log:\n{log[-3000:]}"
    assert SECRET not in log, f"{what}: the secret in the log:\n" + "\n".join(
        line for line in log.splitlines() if SECRET in line
    )


def send(client: httpx.Client, method: str, url: str, **options: Any) -> httpx.Response:
    try:
        return client.request(method, url, **options)
    except httpx.RemoteProtocolError as error:  # the server closed without an answer
        raise AssertionError(f"{method} {str(url)[:300]}: no answer ({error})") from None


def mcp_session(client: httpx.Client, url: str) -> str | None:
    """The session id a real ``initialize`` opens (``None``: the server is stateless)."""
    response = client.post(
        url,
        json={
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "fuzz", "version": "1"},
            },
        },
        headers={"accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 200, response.text
    return response.headers.get("mcp-session-id")


# --- the fuzz tests -------------------------------------------------------------------------


def test_random_rest_requests_never_get_a_5xx_of_ours(
    fuzzed: tuple[LoggedServer, RecordingUpstream],
) -> None:
    server, upstream = fuzzed
    base = server.url("REST")
    statuses: set[int] = set()
    with httpx.Client(timeout=30) as client:

        @fuzz_settings()
        @seeded
        @given(method=METHODS, path=PATHS, query=QUERIES, headers=HEADERS, body=BODIES)
        def one(
            method: str,
            path: str,
            query: list[tuple[str, str]],
            headers: dict[str, str],
            body: bytes | None,
        ) -> None:
            mark = server.mark()
            url = httpx.URL(base + path, params=query) if len(path) < 60_000 else base + path
            what = f"{method} {str(url)[:300]} headers={headers} body={(body or b'')[:200]!r}"
            what += f" ({len(str(url))} characters, body {len(body or b'')} bytes)"
            if len(str(url)) > 65_000:  # past what httpx sends; covered over raw sockets
                return
            response = send(client, method, url, headers=headers, content=body)
            check_answer(server, mark, response, what)
            statuses.add(response.status_code)

        one()
        assert client.get(base + "/openapi.json").status_code == 200
        # a call that reaches the upstream however the random cases fell
        mark = server.mark()
        reached = client.get(base + "/v1/api/v1/executions/p/d/n")
        check_answer(server, mark, reached, "GET an execution")
        assert reached.status_code == 200
    server.assert_alive()
    # not vacuous: the server still forwards, and the limits and routing answered too
    assert any(r.target.endswith("/executions/p/d/n") for r in upstream.requests)
    assert {404, 405} & statuses and {400, 413, 414, 422} & statuses


def test_random_json_rpc_envelopes_never_get_a_5xx_of_ours(
    fuzzed: tuple[LoggedServer, RecordingUpstream],
) -> None:
    server, _ = fuzzed
    url = server.url("MCP") + "/mcp"
    statuses: set[int] = set()
    with httpx.Client(timeout=30) as client:
        session = mcp_session(client, url)

        @fuzz_settings()
        @seeded
        @given(
            message=envelopes(),
            in_session=st.sampled_from(["yes", "no", "bogus"]),
            method=st.sampled_from(["POST"] * 8 + ["GET", "DELETE", "PUT"]),
            headers=HEADERS,
            raw=st.none() | BODIES,
        )
        def one(
            message: Any, in_session: str, method: str, headers: dict[str, str], raw: bytes | None
        ) -> None:
            mark = server.mark()
            sent = {
                "accept": "application/json, text/event-stream",
                "content-type": "application/json",
                **headers,
            }
            if in_session == "bogus" or (in_session == "yes" and session is not None):
                sent["mcp-session-id"] = session if in_session == "yes" else "0" * 32
            body = raw if raw is not None else json.dumps(message).encode()
            if method in ("DELETE", "GET") and in_session == "yes" and session is not None:
                # keep the shared session open; a GET in it would be an endless SSE stream
                in_session = "bogus"
                sent["mcp-session-id"] = "0" * 32
            what = f"{method} /mcp session={in_session} headers={headers} body={body[:300]!r}"
            response = send(client, method, url, headers=sent, content=body)
            check_answer(server, mark, response, what)
            statuses.add(response.status_code)

        one()
        mcp_session(client, url)  # still answered
    server.assert_alive()
    assert 200 in statuses and {400, 404, 405, 406, 413, 415} & statuses
