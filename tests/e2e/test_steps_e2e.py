"""Orchestrated operations beyond `call`, end to end: chained `with`, `lookup` and Python
`script` steps.

``tests/data/steps/steps-capability.yaml`` (with its ``scripts/`` folder, copied next to the
spec so that the absolute ``file:///`` script location can be filled in) is compiled,
pip-installed and started in front of an upstream that answers by path. Every function is
exposed both as a REST operation and as an MCP tool, and both are checked for exact output.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from ..conftest import ServerProcess, build_into, pip_install, start_server
from ..proxy_support import Recorded, RecordingUpstream, Reply
from ..steps_spec import copy_spec

pytestmark = pytest.mark.e2e

SECRET_VARIABLE = "STEPS_TEST_SECRET_TOKEN"

USERS = [
    {"id": "u1", "name": "Ada", "email": "ada@example.com", "teamId": "t 7"},
    {"id": "u2", "name": "Bob", "email": "bob@example.com", "teamId": "t1"},
    {"id": "u3", "name": "Bobby", "email": "bob@example.com", "teamId": "t1"},
]
ROUTES: dict[str, Any] = {
    "/v1/users": USERS,
    "/v1/users/u1": USERS[0],
    "/v1/teams/t%207": {"label": "Compilers"},
    "/v1/orders": [
        {"id": 1, "ownerId": "u2"},
        {"id": 2, "ownerId": "u9"},
        {"id": 3, "ownerId": "u1"},
    ],
    "/v1/readings": [{"temperature": 20}, {"temperature": 22.5}, {"temperature": 25}],
    "/v1/items": [
        {"name": "bolt", "stock": 3},
        {"name": "nut", "stock": 10},
        {"name": "gear", "stock": 4},
    ],
}


NOT_FOUND = Reply(status=404, body=b'{"message": "no such path"}')


class RoutedUpstream(RecordingUpstream):
    """A recording upstream that answers each path with its own JSON body (others 404)."""

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = {path: Reply(body=json.dumps(body).encode()) for path, body in routes.items()}
        super().__init__()

    def paths(self) -> list[str]:
        """The raw targets requested since the last reset, in order."""
        with self._lock:
            return [request.target for request in self.requests]

    def _reply_to(self, request: Recorded) -> Reply:
        return self.routes.get(request.path, NOT_FOUND)


@pytest.fixture(scope="module")
def upstream() -> Iterator[RoutedUpstream]:
    server = RoutedUpstream(ROUTES)
    try:
        yield server
    finally:
        server.close()


class Served:
    """The steps capability built, installed and running (REST, MCP and control)."""

    def __init__(self, root: Path, upstream: RoutedUpstream) -> None:
        result = build_into(copy_spec(root), root / "out")
        self.site = pip_install(root / "out", root / "site")
        cap = result.capability
        self.package = cap.package
        prefix = cap.env_prefix + "_"
        env = {
            "PYTHONPATH": str(self.site),
            prefix + "LOG_LEVEL": "WARNING",
            SECRET_VARIABLE: "do-not-leak",
        }
        for api in cap.apis:
            env[api.base_uri_env] = upstream.url + "/v1"
        for adapter in [*cap.rest_adapters, *cap.listeners]:
            env[f"{prefix}{adapter.key.upper()}_PORT"] = "0"
        count = len(cap.rest_adapters) + len(cap.listeners)
        self.server: ServerProcess = start_server(
            [sys.executable, "-m", cap.package, "all"], expected=count, env=env
        )

    def rest(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.server.url("REST") + path, params=params, timeout=30)

    def tool(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        url = self.server.url("MCP") + "/mcp"

        async def run() -> Any:
            async with Client(url) as client:
                return await client.call_tool(name, arguments or {})

        return anyio.run(run)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, upstream: RoutedUpstream) -> Iterator[Served]:
    started = Served(tmp_path_factory.mktemp("steps"), upstream)
    try:
        yield started
    finally:
        started.server.stop()


@pytest.fixture
def fresh(served: Served, upstream: RoutedUpstream) -> Served:
    upstream.reset()
    return served


def both(served: Served, name: str, path: str, **arguments: str) -> tuple[Any, Any]:
    """The REST answer (status 200 checked) and the MCP structured result of a function."""
    response = served.rest(path, **arguments)
    assert response.status_code == 200, response.text
    result = served.tool(name, dict(arguments))
    assert not result.is_error, result.content
    assert json.loads(result.content[0].text) == result.structured_content
    return response.json(), result.structured_content


def failure(served: Served, name: str, path: str, **arguments: str) -> tuple[httpx.Response, str]:
    """The REST problem and the MCP error text of a function that fails."""
    response = served.rest(path, **arguments)
    result = served.tool(name, dict(arguments))
    assert result.is_error
    return response, result.content[0].text


# --- chained `with` -------------------------------------------------------------------------


def test_with_reads_an_earlier_answer_by_jsonpath(fresh: Served, upstream: RoutedUpstream) -> None:
    rest, mcp = both(fresh, "chain-json", "/chain", **{"user-id": "u1"})
    assert rest == mcp == {"name": "Ada", "team": "Compilers"}
    assert upstream.paths() == ["/v1/users/u1", "/v1/teams/t%207"] * 2


def test_with_mustache_mixes_answers_and_inputs(fresh: Served, upstream: RoutedUpstream) -> None:
    rest, mcp = both(fresh, "chain-mustache", "/chain-mustache", **{"user-id": "u1"})
    assert rest == mcp == {"team": "Compilers"}
    teams = [request for request in upstream.requests if request.path.startswith("/v1/teams")]
    assert [request.query_pairs() for request in teams] == [[("requester", "Ada (u1)")]] * 2


def test_failed_first_step_stops_the_chain(fresh: Served, upstream: RoutedUpstream) -> None:
    response, text = failure(fresh, "chain-json", "/chain", **{"user-id": "u404"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["step"] == "get-user"
    assert "step 'get-user' failed, later steps were not run" in response.json()["detail"]
    assert text.startswith("Step 'get-user' failed, later steps were not run")
    assert "no such path" in text
    assert upstream.paths() == ["/v1/users/u404"] * 2


# --- lookup ---------------------------------------------------------------------------------


def test_lookup_of_one_value_is_the_first_matching_entry(fresh: Served) -> None:
    rest, mcp = both(fresh, "find-user", "/find-user", email="bob@example.com")
    assert rest == mcp == {"id": "u2", "name": "Bob"}


def test_lookup_without_match_is_null(fresh: Served) -> None:
    rest, mcp = both(fresh, "find-user", "/find-user", email="nobody@example.com")
    assert rest == mcp == {"id": None, "name": None}


def test_lookup_of_a_list_keeps_the_matches_in_order(fresh: Served) -> None:
    rest, mcp = both(fresh, "order-owners", "/order-owners")
    expected = [
        {"name": "Bob", "email": "bob@example.com"},
        {"name": "Ada", "email": "ada@example.com"},
    ]
    assert rest == mcp == {"owners": expected}


# --- script ---------------------------------------------------------------------------------


def test_script_with_dependency_reads_earlier_answers(fresh: Served) -> None:
    rest, mcp = both(fresh, "stats", "/stats")
    assert rest == mcp == {"average": 22.5, "count": 3, "max": 25}


def test_script_with_defaults_and_no_steps_before(fresh: Served) -> None:
    rest, mcp = both(fresh, "transform", "/transform")
    assert rest == mcp == {"greeting": "hello", "count": 42, "flag": True, "note": None}


def test_script_with_value_from_an_input(fresh: Served) -> None:
    rest, mcp = both(fresh, "below-threshold", "/below-threshold", limit="5")
    assert rest == mcp == {"items": [{"name": "bolt", "stock": 3}, {"name": "gear", "stock": 4}]}


def test_script_without_result_answers_null(fresh: Served) -> None:
    rest, mcp = both(fresh, "no-result", "/no-result")
    assert rest == mcp == {"value": None}


def test_script_sees_no_environment_variables(fresh: Served) -> None:
    rest, mcp = both(fresh, "environment", "/environment")
    assert rest == mcp == {"visible": []}


def test_script_error_names_the_step_and_line(fresh: Served) -> None:
    response, text = failure(fresh, "crash", "/crash")
    detail = (
        "step 'divide' failed, later steps were not run: the script failed: "
        "ZeroDivisionError: division by zero (line 4 of scripts/fails.py)"
    )
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail
    assert response.json()["step"] == "divide"
    assert text == "S" + detail[1:]


def test_script_timeout_kills_it_and_stops_the_sequence(
    fresh: Served, upstream: RoutedUpstream
) -> None:
    start = time.monotonic()
    response, text = failure(fresh, "slow", "/slow")
    assert time.monotonic() - start < 30
    detail = (
        "step 'spin' failed, later steps were not run: "
        "the script did not finish within 3 s and was stopped"
    )
    assert response.status_code == 502
    assert response.json()["detail"] == detail
    assert text == "S" + detail[1:]
    assert upstream.paths() == []  # the step after the script never ran


# --- the generated helpers, in process ------------------------------------------------------


@pytest.fixture
def orchestration(served: Served, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The lookup and script helpers as the installed package holds them."""
    monkeypatch.syspath_prepend(str(served.site))

    def module(name: str) -> Any:
        return importlib.import_module(f"{served.package}.{name}")

    return SimpleNamespace(
        lookup=module("lookups").lookup,
        run_script=module("scripting").run_script,
        StepFailed=module("errors").StepFailed,
    )


def test_lookup_compares_values_as_text(orchestration: Any) -> None:
    table = [{"id": 7, "name": "seven"}, {"id": "8", "name": "eight"}, "not an entry"]
    lookup = orchestration.lookup
    assert lookup("s", table, "id", "7", ("name",)) == {"name": "seven"}
    assert lookup("s", table, "id", 8.0, ("name", "missing")) == {
        "name": "eight",
        "missing": None,
    }
    assert lookup("s", table, "id", [8, 9, 7], ("name",)) == [{"name": "eight"}, {"name": "seven"}]
    assert lookup("s", table, "id", None, ("name",)) is None
    assert lookup("s", {"id": 1}, "id", 1, ("id",)) == {"id": 1}
    assert lookup("s", None, "id", [1], ("id",)) == []
    with pytest.raises(orchestration.StepFailed, match="the index is str"):
        lookup("s", "text", "id", 1, ("id",))


def test_disabled_scripting_fails_fast(orchestration: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    run = orchestration.run_script
    with pytest.raises(orchestration.StepFailed) as disabled:
        asyncio.run(run("s", {}, (), timeout=1.0, enabled=False))
    assert disabled.value.detail == "script steps are disabled (management.scripting)"
    monkeypatch.setenv("NAFTIKO_SCRIPTING", "false")
    with pytest.raises(orchestration.StepFailed) as switched:
        asyncio.run(run("s", {}, (), timeout=1.0, enabled=None))
    assert switched.value.detail == "script steps are disabled (NAFTIKO_SCRIPTING=false)"
