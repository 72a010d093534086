"""Security of the generated proxies: hostile inputs cannot steer the upstream request.

Values containing ``/``, ``..``, ``%2F``, ``?``, ``#``, newlines and CRLF must each land
percent-encoded inside one path segment (checked on the raw request target the upstream
received), must stay one query value, and can never split or add a header. Inbound
``Authorization``/``Cookie`` never reach the upstream. Every server log (DEBUG) is scanned
for the configured secrets after each test by the ``servers`` fixture.
"""

from __future__ import annotations

import string
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

pytest.register_assert_rewrite("tests.proxy_support")

from ..proxy_support import (  # noqa: E402
    ALL_SECRETS,
    GITHUB_TOKEN,
    RecordingUpstream,
    Running,
    assert_no_secrets,
    raw_http,
)

pytest_plugins = ["tests.proxy_support"]
pytestmark = pytest.mark.e2e

UNRESERVED = set(string.ascii_letters + string.digits + "-._~")

HOSTILE_VALUES = [
    "a/b",
    "..",
    ".",
    "../../admin",
    "%2F",
    "%2e%2e",
    "x?y=1&z=2",
    "x#fragment",
    "line\nbreak",
    "cr\r\nX-Injected: 1",
    "sp ace+plus",
    "üñï/çødé",
    "semi;colon=1",
    "@:host",
]


def one_segment(value: str) -> str:
    """The expected encoding: every byte outside RFC 3986 unreserved as %XX (uppercase);
    ``.`` and ``..`` encoded too so they are never dot-segments."""
    if value in (".", ".."):
        return "%2E" * len(value)
    return "".join(
        char if char in UNRESERVED else "".join(f"%{b:02X}" for b in char.encode())
        for char in value
    )


def mcp_calls(running: Running, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Call the tools in one session; return the results."""

    async def main() -> list[Any]:
        with anyio.fail_after(60):
            async with Client(running.mcp) as client:
                return [await client.call_tool(name, args) for name, args in calls]

    return anyio.run(main)


def text_of(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


# --- paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_mcp_path_values_stay_in_one_segment(
    servers: dict[str, Running], upstream: RecordingUpstream, value: str
) -> None:
    """Twilio: `{AccountSid}` and `{CallSid}.json` placeholders; GitHub: three placeholders."""
    results = mcp_calls(
        servers["twilio"],
        [("twilio-fetch-call", {"AccountSid": value, "CallSid": value})],
    )
    assert not results[0].is_error, text_of(results[0])
    segment = one_segment(value)
    seen = upstream.take()
    assert seen.path == f"/twilio/2010-04-01/Accounts/{segment}/Calls/{segment}.json"
    assert seen.query == ""

    results = mcp_calls(
        servers["github"],
        [
            (
                "github-get-milestone",
                {
                    "owner": value,
                    "repo": "r",
                    "milestone_number": value,
                    "X-GitHub-Api-Version": "1",
                    "Accept": "a/b",
                },
            )
        ],
    )
    assert not results[0].is_error, text_of(results[0])
    seen = upstream.take()
    assert seen.path == f"/api/v3/repos/{segment}/r/milestones/{segment}"
    assert seen.header("authorization") == "Bearer " + GITHUB_TOKEN
    assert "x-injected" not in seen.header_names()


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("..", ".."),
        ("%2E%2E", ".."),
        (".", "."),
        ("%3F", "?"),
        ("a%3Fb%3Dc", "a?b=c"),
        ("%23frag", "#frag"),
        ("%0D%0AX-Injected:%201", "\r\nX-Injected: 1"),
        ("%252F", "%2F"),
        ("%25", "%"),
        ("%C3%BC", "ü"),
        ("a;b", "a;b"),
    ],
)
def test_rest_path_values_stay_in_one_segment(
    servers: dict[str, Running], upstream: RecordingUpstream, raw: str, decoded: str
) -> None:
    """The raw request line is sent over a socket, so no client normalises it first."""
    github = servers["github"]
    port = int(github.rest.rsplit(":", 1)[1])
    status, _, body = raw_http(
        port,
        (
            f"GET /v1/repos/{raw}/r/milestones/{raw} HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nX-GitHub-Api-Version: 1\r\nAccept: a/b\r\n"
            "Connection: close\r\n\r\n"
        ).encode(),
    )
    assert status == 200, body
    seen = upstream.take()
    segment = one_segment(decoded)
    assert seen.path == f"/api/v3/repos/{segment}/r/milestones/{segment}"
    assert "x-injected" not in seen.header_names()


def test_rest_encoded_slash_cannot_add_a_segment(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """``%2F`` in a REST path value keeps it one segment (routes match the raw path): it
    reaches the upstream encoded, so it can never become a path separator or climb."""
    github = servers["github"]
    response = httpx.get(
        github.rest + "/v1/repos/a%2F..%2Fb/r/milestones/1",
        headers={"X-GitHub-Api-Version": "1", "Accept": "a/b"},
    )
    assert response.status_code == 200
    assert upstream.only().path == "/api/v3/repos/a%2F..%2Fb/r/milestones/1"
    upstream.reset()
    unmatched = httpx.get(github.rest + "/v1/repos/a/b/c/r/milestones/1")
    assert unmatched.status_code == 404
    assert unmatched.headers["content-type"] == "application/problem+json"
    assert upstream.requests == []


# --- query strings --------------------------------------------------------------------------


def test_query_values_stay_one_value(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    twilio = servers["twilio"]
    hostile = {
        "To": "+1&PageSize=999",
        "From": "x#frag",
        "Status": "a=b",
        "StartTime": "line\r\nX-Injected: 1",
        "EndTime": "%26%3D",
        "PageSize": "3",
    }
    response = httpx.get(twilio.rest + "/v1/accounts/AC1/calls-json", params=hostile)
    assert response.status_code == 200
    rest_seen = upstream.take()
    assert rest_seen.query_pairs() == list(hostile.items())
    assert "#" not in rest_seen.target and "\r" not in rest_seen.target

    results = mcp_calls(
        twilio,
        [("twilio-list-calls", {"AccountSid": "AC1", **hostile, "PageSize": 3})],
    )
    assert not results[0].is_error, text_of(results[0])
    mcp_seen = upstream.take()
    assert mcp_seen.query_pairs() == list(hostile.items())
    assert mcp_seen.target == rest_seen.target

    results = mcp_calls(
        twilio,
        [
            (
                "twilio-fetch-call",
                {"AccountSid": "AC1", "CallSid": "CA1", "query": {"a&b": "c=d#e", "n": ["1&x"]}},
            )
        ],
    )
    assert not results[0].is_error
    assert upstream.take().query_pairs() == [("a&b", "c=d#e"), ("n", "1&x")]


# --- headers --------------------------------------------------------------------------------

GITHUB_IDS = {"owner": "o", "repo": "r", "milestone_number": "1", "Accept": "a/b"}


@pytest.mark.parametrize(
    "value", ["2022\r\nX-Injected: 1", "2022\nX-Injected: 1", "2022\rX-Injected: 1", "a\x00b"]
)
def test_mcp_header_values_cannot_inject_headers(
    servers: dict[str, Running], upstream: RecordingUpstream, value: str
) -> None:
    (result,) = mcp_calls(
        servers["github"],
        [("github-get-milestone", {**GITHUB_IDS, "X-GitHub-Api-Version": value})],
    )
    assert result.is_error
    assert upstream.requests == []  # refused before anything was sent
    servers["github"].server.assert_alive()


def test_mcp_header_error_names_the_argument(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """The model is told which argument to change and why."""
    (result,) = mcp_calls(
        servers["github"],
        [("github-get-milestone", {**GITHUB_IDS, "X-GitHub-Api-Version": "1\r\nX: 2"})],
    )
    assert result.is_error
    assert "X-GitHub-Api-Version" in text_of(result)
    assert "line break" in text_of(result)


@pytest.mark.parametrize(
    "header_line",
    [
        b"X-GitHub-Api-Version: 2022\rX-Injected: 1",
        b"X-GitHub-Api-Version: 2022\nX-Injected: 1",
        b"X-GitHub-Api-Version: 2022\r\n X-Injected: 1",  # obsolete line folding
        b"X-GitHub-Api-Version: 2022\x00X-Injected: 1",
    ],
)
def test_rest_header_values_cannot_inject_headers(
    servers: dict[str, Running], upstream: RecordingUpstream, header_line: bytes
) -> None:
    """A line break inside an inbound header is refused by the HTTP layer (400); it never
    becomes a second upstream header."""
    github = servers["github"]
    port = int(github.rest.rsplit(":", 1)[1])
    request = (
        b"GET /v1/repos/o/r/milestones/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: a/b\r\n"
        + header_line
        + b"\r\nConnection: close\r\n\r\n"
    )
    status, _, _ = raw_http(port, request)
    if status == 200:  # accepted as one value: then it must have stayed one value
        seen = upstream.take()
        assert "x-injected" not in seen.header_names()
    else:
        assert status in (400, 422)
        assert upstream.requests == []


def test_percent_encoded_crlf_in_a_header_is_sent_literally(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    github = servers["github"]
    response = httpx.get(
        github.rest + "/v1/repos/o/r/milestones/1",
        headers={"X-GitHub-Api-Version": "a%0D%0AX-Injected:%201", "Accept": "a/b"},
    )
    assert response.status_code == 200
    seen = upstream.take()
    assert seen.header("x-github-api-version") == "a%0D%0AX-Injected:%201"
    assert "x-injected" not in seen.header_names()


# --- inbound credentials --------------------------------------------------------------------

INBOUND_SECRETS = {
    "Authorization": "Bearer inbound-token-0000",
    "Cookie": "session=inbound-cookie-0000",
    "Proxy-Authorization": "Basic aW5ib3VuZDppbmJvdW5k",
    "X-Api-Key": "inbound-key-0000",
    "X-Forwarded-For": "203.0.113.9",
    "Forwarded": "for=203.0.113.9",
}


REST_PROBES = {
    "twilio": (
        "/v1/accounts/AC1/calls-json?To=1&From=1&Status=1&StartTime=1&EndTime=1&PageSize=1",
        {},
    ),
    "hubspot": ("/v1/feature-flags/v3/a/flags/f/portals/1", {}),
    "anthropic": ("/v1/skills", {}),
    "github": ("/v1/repos/o/r/milestones/1", {"X-GitHub-Api-Version": "1", "Accept": "a"}),
}
"""A GET per capability that reaches the upstream: path with query, and required headers."""


@pytest.mark.parametrize("key", sorted(REST_PROBES))
def test_inbound_credentials_never_reach_the_upstream_over_rest(
    servers: dict[str, Running],
    upstream: RecordingUpstream,
    key: str,
) -> None:
    path, headers = REST_PROBES[key]
    response = httpx.get(servers[key].rest + path, headers={**INBOUND_SECRETS, **headers})
    assert response.status_code == 200, response.text
    seen = upstream.take()
    raw = "\n".join(f"{k}: {v}" for k, v in seen.headers)
    for value in INBOUND_SECRETS.values():
        assert value not in raw and value not in seen.target
    assert "cookie" not in seen.header_names()
    assert "proxy-authorization" not in seen.header_names()
    assert "forwarded" not in seen.header_names()


def test_inbound_credentials_never_reach_the_upstream_over_mcp(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """The MCP client's own HTTP Authorization and Cookie stay between client and server."""
    github = servers["github"]

    async def main() -> Any:
        with anyio.fail_after(60):
            http = create_mcp_http_client(headers=INBOUND_SECRETS)
            async with http:
                transport = streamable_http_client(github.mcp, http_client=http)
                async with Client(transport) as client:  # type: ignore[arg-type]
                    return await client.call_tool(
                        "github-get-milestone", {**GITHUB_IDS, "X-GitHub-Api-Version": "1"}
                    )

    result = anyio.run(main)
    assert not result.is_error, text_of(result)
    seen = upstream.take()
    raw = "\n".join(f"{k}: {v}" for k, v in seen.headers)
    for value in INBOUND_SECRETS.values():
        assert value not in raw
    assert seen.header("authorization") == "Bearer " + GITHUB_TOKEN


# --- secrets in logs and answers ------------------------------------------------------------


def test_logs_are_captured_at_debug_and_hold_no_secret(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """The log scan is not vacuous: DEBUG lines of upstream exchanges are there, and
    none of them (nor any other line) contains a configured secret."""
    for key, running in servers.items():
        mark = running.server.mark()
        path, headers = REST_PROBES[key]
        assert httpx.get(running.rest + path, headers=headers).status_code == 200
        upstream.take()
        missing = httpx.get(running.rest + "/v1/nothing-here", headers=INBOUND_SECRETS)
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        log = running.server.log(mark)
        assert "DEBUG:" in log and " -> 200" in log, log  # the exchange was logged
        assert_no_secrets(log, ALL_SECRETS, f"the {key} log")
        assert_no_secrets(missing.text, ALL_SECRETS, "a 404 answer")


def test_upstream_error_answers_are_not_decorated_with_secrets(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """An upstream 401 (what a wrong key produces) is passed through; our own additions
    (the MCP message) never quote the credential we sent."""
    upstream.respond(401, b'{"message":"Bad credentials"}')
    for key, tool, args in [
        ("github", "github-get-milestone", {**GITHUB_IDS, "X-GitHub-Api-Version": "1"}),
        ("twilio", "twilio-fetch-call", {"AccountSid": "A", "CallSid": "C"}),
        (
            "hubspot",
            "hubspot-retrieve-portal-flag-state",
            {"appId": "a", "flagName": "f", "portalId": "1"},
        ),
        ("anthropic", "anthropic-get-skill", {"skill_id": "s"}),
    ]:
        (result,) = mcp_calls(servers[key], [(tool, args)])
        assert result.is_error
        assert "401" in text_of(result) and "Bad credentials" in text_of(result)
        assert_no_secrets(text_of(result), ALL_SECRETS, f"the {key} tool result")
