"""The exact upstream request the generated servers send, for four real SaaS capabilities.

Each capability of ``tests/data/other_apis/`` is compiled, pip-installed and served (REST and
MCP in one process) in front of a recording upstream on a real socket. Every test sends
requests through the REST adapter (httpx) and the MCP adapter (``mcp.Client`` over
Streamable HTTP) and asserts the method, the raw path, the query, every header and the
body the upstream received, and what the caller got back.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

pytest.register_assert_rewrite("tests.proxy_support")

from ..proxy_support import (  # noqa: E402
    ANTHROPIC_KEY,
    GITHUB_TOKEN,
    HUBSPOT_KEY,
    TWILIO_PASS,
    TWILIO_USER,
    Recorded,
    RecordingUpstream,
    Running,
)

pytest_plugins = ["tests.proxy_support"]
pytestmark = pytest.mark.e2e

DEFAULT_HEADERS = {"host", "accept", "accept-encoding", "connection", "user-agent"}
"""What httpx adds to every upstream request."""

HOSTILE_INBOUND = {
    "Authorization": "Bearer caller-token-must-not-leak",
    "Cookie": "session=caller-cookie-must-not-leak",
    "X-Forwarded-For": "10.0.0.1",
    "X-Api-Key": "caller-api-key",
    "Proxy-Authorization": "Basic Y2FsbGVyOmNhbGxlcg==",
}
"""Inbound headers that no spec declares: none of them may reach the upstream."""

TWILIO_BASIC = "Basic " + base64.b64encode(f"{TWILIO_USER}:{TWILIO_PASS}".encode()).decode()


def expect(
    seen: Recorded,
    method: str,
    path: str,
    query: list[tuple[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> None:
    """``seen`` is exactly this request: method, raw path, query pairs, header set, body.

    ``headers`` lists every header beyond httpx's defaults (host, accept, accept-encoding,
    connection, user-agent), with its exact value; ``Content-Length`` is checked against
    the body. ``Accept`` may be given to override httpx's ``*/*``.
    """
    assert seen.method == method
    assert seen.path == path
    assert seen.query_pairs() == (query or [])
    assert seen.version == "HTTP/1.1"
    got = seen.header_map()
    wanted = {k.lower(): v for k, v in (headers or {}).items()}
    names = DEFAULT_HEADERS | set(wanted)
    if body is not None:
        names.add("content-length")
        assert got.get("content-length") == str(len(body))
    elif "content-length" in got:  # httpx sends Content-Length: 0 for an empty POST
        names.add("content-length")
        assert got["content-length"] == "0"
    assert set(got) == names, f"unexpected headers: {seen.headers}"
    for name, value in wanted.items():
        assert got[name] == value, name
    assert seen.body == (body or b"")
    assert got["host"].startswith("127.0.0.1:")
    if "accept" not in wanted:
        assert got["accept"] == "*/*"


def mcp_run(running: Running, scenario: Callable[[Client], Awaitable[None]]) -> None:
    """Run ``scenario`` in one MCP session over Streamable HTTP."""

    async def main() -> None:
        with anyio.fail_after(60):
            async with Client(running.mcp) as client:
                await scenario(client)

    anyio.run(main)


async def tool(client: Client, name: str, arguments: dict[str, Any]) -> Any:
    """Call a tool that must succeed; return its structured content."""
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content
    return result.structured_content


def rest(running: Running) -> httpx.Client:
    """An httpx client for the REST adapter."""
    return httpx.Client(base_url=running.rest, timeout=30)


# --- Twilio: basic auth, placeholders no parameter declares, `{CallSid}.json` ----------


def test_twilio_rest(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    twilio = servers["twilio"]
    upstream.respond(200, b'{"calls":[],"page":0}')
    query = {
        "To": "+15551234567",
        "From": "+15557654321",
        "Status": "completed",
        "StartTime": "2026-01-01",
        "EndTime": "2026-01-31",
        "PageSize": "20",
    }
    with rest(twilio) as client:
        listed = client.get(
            "/v1/accounts/AC123/calls-json",
            params={**query, "Page": "2"},
            headers=HOSTILE_INBOUND,
        )
        assert listed.status_code == 200
        assert listed.content == b'{"calls":[],"page":0}'
        assert listed.headers["content-type"] == "application/json"
        seen = upstream.take()
        expect(
            seen,
            "GET",
            "/twilio/2010-04-01/Accounts/AC123/Calls.json",
            [*query.items(), ("Page", "2")],
            {"Authorization": TWILIO_BASIC},
        )
        assert "To=%2B15551234567" in seen.query  # `+` is data, not a space

        upstream.respond(201, b'{"sid":"CA1"}')
        payload = b'{"To": "+15551234567", "Url": "https://example.com/twiml", "n": [1, 2.5]}'
        created = client.post(
            "/v1/accounts/AC123/calls-json",
            content=payload,
            headers={"Content-Type": "application/json", **HOSTILE_INBOUND},
        )
        assert created.status_code == 201
        assert created.json() == {"sid": "CA1"}
        expect(
            upstream.take(),
            "POST",
            "/twilio/2010-04-01/Accounts/AC123/Calls.json",
            headers={"Authorization": TWILIO_BASIC, "Content-Type": "application/json"},
            body=payload,  # forwarded byte for byte
        )

        # Undeclared-required query filters are optional on REST (HTTP convention).
        upstream.respond(200, b'{"calls":[]}')
        filtered = client.get("/v1/accounts/AC123/calls-json", params={"To": "x"})
        assert filtered.status_code == 200
        expect(
            upstream.take(),
            "GET",
            "/twilio/2010-04-01/Accounts/AC123/Calls.json",
            [("To", "x")],
            {"Authorization": TWILIO_BASIC},
        )

        bad_type = client.get("/v1/accounts/AC123/calls-json", params={"PageSize": "many"})
        assert bad_type.status_code == 422
        assert bad_type.headers["content-type"] == "application/problem+json"
        assert bad_type.json()["field"] == "PageSize"
        assert upstream.requests == []


def test_twilio_mcp(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    twilio = servers["twilio"]
    base = "/twilio/2010-04-01/Accounts/AC123/Calls"

    async def scenario(client: Client) -> None:
        upstream.respond(200, b'{"calls":[{"sid":"CA9"}]}')
        listed = await tool(
            client,
            "twilio-list-calls",
            {
                "AccountSid": "AC123",
                "To": "+15551234567",
                "From": "+15557654321",
                "Status": "in-progress",
                "StartTime": "2026-01-01",
                "EndTime": "2026-01-31",
                "PageSize": 50,
            },
        )
        assert listed == {"calls": [{"sid": "CA9"}]}
        expect(
            upstream.take(),
            "GET",
            base + ".json",
            [
                ("To", "+15551234567"),
                ("From", "+15557654321"),
                ("Status", "in-progress"),
                ("StartTime", "2026-01-01"),
                ("EndTime", "2026-01-31"),
                ("PageSize", "50"),
            ],
            {"Authorization": TWILIO_BASIC},
        )

        upstream.respond(201, b'{"sid":"CA1"}')
        made = await tool(
            client, "twilio-make-call", {"AccountSid": "AC123", "body": {"To": "+1", "x": [1]}}
        )
        assert made == {"sid": "CA1"}
        seen = upstream.take()
        expect(
            seen,
            "POST",
            base + ".json",
            headers={"Authorization": TWILIO_BASIC, "Content-Type": "application/json"},
            body=seen.body,
        )
        assert json.loads(seen.body) == {"To": "+1", "x": [1]}

        upstream.respond(200, b'{"sid":"CA456","status":"completed"}')
        fetched = await tool(
            client,
            "twilio-fetch-call",
            {
                "AccountSid": "AC123",
                "CallSid": "CA456",
                "query": {"PageSize": 5, "flag": ["a", "b"], "on": True, "ratio": 0.5},
            },
        )
        assert fetched == {"sid": "CA456", "status": "completed"}
        expect(
            upstream.take(),
            "GET",
            base + "/CA456.json",  # literal text after the placeholder kept
            [("PageSize", "5"), ("flag", "a"), ("flag", "b"), ("on", "true"), ("ratio", "0.5")],
            {"Authorization": TWILIO_BASIC},
        )

        upstream.respond(200, b'{"sid":"CA456","status":"canceled"}')
        await tool(
            client,
            "twilio-modify-live-call",
            {"AccountSid": "AC123", "CallSid": "CA456", "body": {"Status": "canceled"}},
        )
        expect(
            upstream.take(),
            "POST",
            base + "/CA456.json",
            headers={"Authorization": TWILIO_BASIC, "Content-Type": "application/json"},
            body=b'{"Status":"canceled"}',
        )

        upstream.respond(204, b"", content_type=None)
        deleted = await client.call_tool(
            "twilio-delete-call-record", {"AccountSid": "AC123", "CallSid": "CA456"}
        )
        assert not deleted.is_error
        assert deleted.structured_content == {}
        expect(
            upstream.take(), "DELETE", base + "/CA456.json", headers={"Authorization": TWILIO_BASIC}
        )

    mcp_run(twilio, scenario)


# --- HubSpot: API key in the query ------------------------------------------------------


def test_hubspot_rest(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    hubspot = servers["hubspot"]
    base = "/hubspot/feature-flags/v3/app-1/flags/my-flag/portals"
    with rest(hubspot) as client:
        upstream.respond(200, b'{"results":[]}')
        listed = client.get(
            "/v1/feature-flags/v3/app-1/flags/my-flag/portals",
            params=[("limit", "10"), ("after", "cursor/1 2"), ("archived", "false")],
            headers=HOSTILE_INBOUND,
        )
        assert listed.status_code == 200 and listed.json() == {"results": []}
        seen = upstream.take()
        expect(
            seen,
            "GET",
            base,
            [
                ("hapikey", HUBSPOT_KEY),
                ("limit", "10"),
                ("after", "cursor/1 2"),
                ("archived", "false"),
            ],
        )

        upstream.respond(200, b'{"portalId":123,"flagState":"ON"}')
        got = client.get("/v1/feature-flags/v3/app-1/flags/my-flag/portals/123")
        assert got.json() == {"portalId": 123, "flagState": "ON"}
        expect(upstream.take(), "GET", base + "/123", [("hapikey", HUBSPOT_KEY)])

        payload = b'{"flagState":"OFF"}'
        put = client.put(
            "/v1/feature-flags/v3/app-1/flags/my-flag/portals/123",
            content=payload,
            headers={"content-type": "application/json"},
        )
        assert put.status_code == 200
        expect(
            upstream.take(),
            "PUT",
            base + "/123",
            [("hapikey", HUBSPOT_KEY)],
            {"Content-Type": "application/json"},
            payload,
        )

        upstream.respond(204, b"", content_type=None)
        deleted = client.delete("/v1/feature-flags/v3/app-1/flags/my-flag/portals/123")
        assert deleted.status_code == 204 and deleted.content == b""
        assert "content-type" not in deleted.headers
        expect(upstream.take(), "DELETE", base + "/123", [("hapikey", HUBSPOT_KEY)])

        bad = client.get(
            "/v1/feature-flags/v3/app-1/flags/my-flag/portals",
            params={"limit": "ten", "after": "x"},
        )
        assert bad.status_code == 422
        problem = bad.json()
        assert problem["field"] == "limit" and problem["location"] == "query"
        assert upstream.requests == []


def test_hubspot_caller_cannot_replace_the_query_api_key(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """An undeclared query parameter named like the API key (REST pass-through, MCP
    ``query`` argument) never replaces the configured key."""
    hubspot = servers["hubspot"]
    with rest(hubspot) as client:
        response = client.get(
            "/v1/feature-flags/v3/app-1/flags/my-flag/portals/123",
            params={"hapikey": "caller-key", "x": "1"},
        )
    assert response.status_code == 200
    assert [v for k, v in upstream.take().query_pairs() if k == "hapikey"] == [HUBSPOT_KEY]

    async def scenario(client: Client) -> None:
        await tool(
            client,
            "hubspot-retrieve-portal-flag-state",
            {"appId": "a", "flagName": "f", "portalId": "1", "query": {"hapikey": "model-key"}},
        )
        assert [v for k, v in upstream.take().query_pairs() if k == "hapikey"] == [HUBSPOT_KEY]

    mcp_run(hubspot, scenario)


def test_hubspot_mcp(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    hubspot = servers["hubspot"]
    base = "/hubspot/feature-flags/v3/app-1/flags/my-flag/portals"
    ids = {"appId": "app-1", "flagName": "my-flag"}

    async def scenario(client: Client) -> None:
        upstream.respond(200, b'{"results":[{"portalId":1}]}')
        listed = await tool(
            client, "hubspot-list-portal-flag-states", {**ids, "limit": 5, "after": "c1"}
        )
        assert listed == {"results": [{"portalId": 1}]}
        expect(
            upstream.take(),
            "GET",
            base,
            [("hapikey", HUBSPOT_KEY), ("limit", "5"), ("after", "c1")],
        )

        upstream.respond(200, b'{"portalId":7}')
        got = await tool(
            client,
            "hubspot-retrieve-portal-flag-state",
            {**ids, "portalId": "7", "query": {"archived": False}},
        )
        assert got == {"portalId": 7}
        expect(
            upstream.take(),
            "GET",
            base + "/7",
            [("hapikey", HUBSPOT_KEY), ("archived", "false")],
        )

        await tool(
            client,
            "hubspot-set-portal-flag-state",
            {**ids, "portalId": "7", "body": {"flagState": "ON", "note": "é ✓"}},
        )
        expect(
            upstream.take(),
            "PUT",
            base + "/7",
            [("hapikey", HUBSPOT_KEY)],
            {"Content-Type": "application/json"},
            '{"flagState":"ON","note":"é ✓"}'.encode(),
        )

        await tool(client, "hubspot-delete-portal-flag-state", {**ids, "portalId": "7"})
        expect(upstream.take(), "DELETE", base + "/7", [("hapikey", HUBSPOT_KEY)])

        wrong = await client.call_tool(
            "hubspot-list-portal-flag-states", {**ids, "limit": "five", "after": "c"}
        )
        assert wrong.is_error
        assert "limit" in wrong.content[0].text  # type: ignore[union-attr]
        assert upstream.requests == []

    mcp_run(hubspot, scenario)


# --- Anthropic: static headers plus an API key header ----------------------------------

ANTHROPIC_HEADERS = {
    "anthropic-beta": "skills-2025-10-02",
    "anthropic-version": "2023-06-01",
    "x-api-key": ANTHROPIC_KEY,
}


def test_anthropic_rest(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    anthropic = servers["anthropic"]
    with rest(anthropic) as client:
        upstream.respond(200, b'{"data":[],"has_more":false}')
        listed = client.get(
            "/v1/skills",
            params={"limit": "2", "source": "custom"},
            headers={**HOSTILE_INBOUND, "anthropic-version": "1999-01-01"},
        )
        assert listed.json() == {"data": [], "has_more": False}
        expect(
            upstream.take(),
            "GET",
            "/v1/skills",
            [("limit", "2"), ("source", "custom")],
            ANTHROPIC_HEADERS,  # the static value, never the caller's
        )

        payload = json.dumps({"display_title": "Ünïcode ✓", "files": []}).encode()
        upstream.respond(200, b'{"id":"skill_01"}')
        created = client.post(
            "/v1/skills", content=payload, headers={"content-type": "application/json"}
        )
        assert created.json() == {"id": "skill_01"}
        expect(
            upstream.take(),
            "POST",
            "/v1/skills",
            headers={**ANTHROPIC_HEADERS, "Content-Type": "application/json"},
            body=payload,
        )

        not_json = client.post(
            "/v1/skills", content=b"{oops", headers={"content-type": "application/json"}
        )
        assert not_json.status_code == 400
        assert not_json.headers["content-type"] == "application/problem+json"
        assert not_json.json()["field"] == "body"
        empty = client.post("/v1/skills")
        assert empty.status_code == 422 and empty.json()["field"] == "body"
        assert upstream.requests == []


def test_anthropic_mcp(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    anthropic = servers["anthropic"]

    async def scenario(client: Client) -> None:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == {
            "anthropic-create-skill",
            "anthropic-list-skills",
            "anthropic-get-skill",
            "anthropic-delete-skill",
        }
        upstream.respond(200, b'{"id":"skill_01"}')
        await tool(client, "anthropic-create-skill", {"body": {"display_title": "t"}})
        expect(
            upstream.take(),
            "POST",
            "/v1/skills",
            headers={**ANTHROPIC_HEADERS, "Content-Type": "application/json"},
            body=b'{"display_title":"t"}',
        )

        upstream.respond(200, b'{"data":[1,2]}')
        listed = await client.call_tool("anthropic-list-skills", {"query": {"limit": 2}})
        assert not listed.is_error
        assert json.loads(listed.content[0].text) == {"data": [1, 2]}  # type: ignore[union-attr]
        expect(upstream.take(), "GET", "/v1/skills", [("limit", "2")], ANTHROPIC_HEADERS)

        await tool(client, "anthropic-get-skill", {"skill_id": "skill_01"})
        expect(upstream.take(), "GET", "/v1/skills/skill_01", headers=ANTHROPIC_HEADERS)

        upstream.respond(200, b'{"type":"skill_deleted"}')
        await tool(client, "anthropic-delete-skill", {"skill_id": "skill_01"})
        expect(upstream.take(), "DELETE", "/v1/skills/skill_01", headers=ANTHROPIC_HEADERS)

        missing = await client.call_tool("anthropic-get-skill", {})
        assert missing.is_error and "skill_id" in missing.content[0].text  # type: ignore[union-attr]
        assert upstream.requests == []

    mcp_run(anthropic, scenario)


# --- GitHub: bearer auth plus Authorization / Accept header parameters ------------------

GITHUB_IN = {
    "X-GitHub-Api-Version": "2022-11-28",
    "Accept": "application/vnd.github+json",
}
GITHUB_OUT = {**GITHUB_IN, "Authorization": "Bearer " + GITHUB_TOKEN}


def test_github_rest(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    github = servers["github"]
    base = "/api/v3/repos/octo-org/hello.world/milestones"
    with rest(github) as client:
        upstream.respond(200, b'[{"number":1}]')
        listed = client.get(
            "/v1/repos/octo-org/hello.world/milestones",
            params={"state": "open", "sort": "due_on", "direction": "asc", "per_page": "5"},
            headers={**HOSTILE_INBOUND, **GITHUB_IN, "Authorization": "token caller-gh"},
        )
        assert listed.status_code == 200
        assert listed.json() == [{"number": 1}]
        expect(
            upstream.take(),
            "GET",
            base,
            [("state", "open"), ("sort", "due_on"), ("direction", "asc"), ("per_page", "5")],
            GITHUB_OUT,  # the configured bearer wins over the caller's Authorization
        )

        upstream.respond(201, b'{"number":2}')
        payload = b'{"title":"v1.0","due_on":"2026-06-01T00:00:00Z"}'
        created = client.post(
            "/v1/repos/octo-org/hello.world/milestones",
            content=payload,
            headers={**GITHUB_IN, "Content-Type": "application/json", "Cookie": "a=b"},
        )
        assert created.status_code == 201
        expect(
            upstream.take(),
            "POST",
            base,
            headers={**GITHUB_OUT, "Content-Type": "application/json"},
            body=payload,
        )

        upstream.respond(200, b'{"number":2}')
        client.get("/v1/repos/octo-org/hello.world/milestones/2", headers=GITHUB_IN)
        expect(upstream.take(), "GET", base + "/2", headers=GITHUB_OUT)

        patched = client.patch(
            "/v1/repos/octo-org/hello.world/milestones/2",
            content=b'{"state":"closed"}',
            headers={**GITHUB_IN, "content-type": "application/json"},
        )
        assert patched.status_code == 200
        expect(
            upstream.take(),
            "PATCH",
            base + "/2",
            headers={**GITHUB_OUT, "Content-Type": "application/json"},
            body=b'{"state":"closed"}',
        )
        no_body = client.patch("/v1/repos/octo-org/hello.world/milestones/2", headers=GITHUB_IN)
        assert no_body.status_code == 200  # the body is optional for this operation
        expect(upstream.take(), "PATCH", base + "/2", headers=GITHUB_OUT)

        upstream.respond(204, b"", content_type=None)
        deleted = client.delete("/v1/repos/octo-org/hello.world/milestones/2", headers=GITHUB_IN)
        assert deleted.status_code == 204
        expect(upstream.take(), "DELETE", base + "/2", headers=GITHUB_OUT)

        # Header parameters the spec does not mark required are optional on REST.
        upstream.respond(200, b"{}")
        bare = client.get("/v1/repos/o/r/milestones/2", headers={"Accept": "application/json"})
        assert bare.status_code == 200
        sent = upstream.take()
        assert sent.header("x-github-api-version") is None
        assert sent.header("authorization") == GITHUB_OUT["Authorization"]


def test_github_mcp(servers: dict[str, Running], upstream: RecordingUpstream) -> None:
    github = servers["github"]
    base = "/api/v3/repos/octo-org/hello/milestones"
    ids = {"owner": "octo-org", "repo": "hello", **GITHUB_IN}

    async def scenario(client: Client) -> None:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for schema_tool in tools.values():
            assert "Authorization" not in schema_tool.input_schema["properties"]

        upstream.respond(200, b'[{"number":1}]')
        listed = await tool(
            client,
            "github-list-milestones",
            {**ids, "state": "all", "sort": "completeness", "direction": "desc"},
        )
        assert listed == {"result": [{"number": 1}]}  # non-objects are wrapped
        expect(
            upstream.take(),
            "GET",
            base,
            [("state", "all"), ("sort", "completeness"), ("direction", "desc")],
            GITHUB_OUT,
        )

        upstream.respond(201, b'{"number":3}')
        await tool(client, "github-create-milestone", {**ids, "body": {"title": "v2"}})
        expect(
            upstream.take(),
            "POST",
            base,
            headers={**GITHUB_OUT, "Content-Type": "application/json"},
            body=b'{"title":"v2"}',
        )

        await tool(client, "github-get-milestone", {**ids, "milestone_number": "3"})
        expect(upstream.take(), "GET", base + "/3", headers=GITHUB_OUT)

        await tool(client, "github-update-milestone", {**ids, "milestone_number": "3"})
        expect(upstream.take(), "PATCH", base + "/3", headers=GITHUB_OUT)

        upstream.respond(204, b"", content_type=None)
        await tool(client, "github-delete-milestone", {**ids, "milestone_number": "3"})
        expect(upstream.take(), "DELETE", base + "/3", headers=GITHUB_OUT)

        sneaky = await client.call_tool(
            "github-get-milestone",
            {**ids, "milestone_number": "3", "Authorization": "token model-chosen"},
        )
        assert sneaky.is_error  # not an argument: the configured bearer is always used
        assert "Authorization" in sneaky.content[0].text  # type: ignore[union-attr]
        assert upstream.requests == []

    mcp_run(github, scenario)


def test_tool_without_output_parameters_has_structured_content(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    async def scenario(client: Client) -> None:
        upstream.respond(200, b'{"data":[1,2]}')
        result = await client.call_tool("anthropic-list-skills", {})
        assert result.structured_content == {"data": [1, 2]}

    mcp_run(servers["anthropic"], scenario)
