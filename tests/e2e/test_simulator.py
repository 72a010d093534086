"""Tests of the in-memory Flyte Admin executions simulator (simulator/flyte_admin.py)."""

from __future__ import annotations

import asyncio
import re
import selectors
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from simulator.flyte_admin import create_app

BASE = "/api/v1/executions"
LAUNCH_PLAN = {
    "resource_type": "LAUNCH_PLAN",
    "project": "p",
    "domain": "d",
    "name": "wf.lp",
    "version": "v1",
}
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def create(client: TestClient, name: str | None = None, **fields) -> httpx.Response:
    body = {"project": "p", "domain": "d", "spec": {"launch_plan": dict(LAUNCH_PLAN)}, **fields}
    if name is not None:
        body["name"] = name
    return client.post(BASE, json=body)


def assert_error(
    response: httpx.Response, status: int, code: int, message: str | None = None
) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    if code != 9:  # only FailedPrecondition carries details (the terminal phase)
        assert body["details"] == []
    assert isinstance(body["message"], str) and body["message"]
    if message is not None:
        assert message in body["message"]


def parse_time(value: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z", value), value
    return datetime.fromisoformat(value)


# --- CreateExecution ---------------------------------------------------------------------------


def test_create_then_get_echoes_spec_in_snake_case(client):
    response = create(client, "run1")
    assert response.status_code == 200
    assert response.json() == {"id": {"project": "p", "domain": "d", "name": "run1", "org": ""}}
    execution = client.get(f"{BASE}/p/d/run1").json()
    assert execution["id"]["name"] == "run1"
    assert execution["spec"]["launch_plan"] == {**LAUNCH_PLAN, "org": ""}
    assert execution["spec"]["metadata"]["mode"] == "MANUAL"
    closure = execution["closure"]
    assert closure["phase"] == "RUNNING"
    assert "abort_cause" not in closure and "abort_metadata" not in closure
    created = parse_time(closure["created_at"])
    assert parse_time(closure["started_at"]) == created <= parse_time(closure["updated_at"])


def test_create_accepts_camel_case_and_answers_snake_case(client):
    lp = {
        "resourceType": "LAUNCH_PLAN",
        "project": "p",
        "domain": "d",
        "name": "wf.lp",
        "version": "v1",
    }
    body = {
        "project": "p",
        "domain": "d",
        "name": "camel",
        "spec": {"launchPlan": lp, "overwriteCache": True},
    }
    assert client.post(BASE, json=body).status_code == 200
    spec = client.get(f"{BASE}/p/d/camel").json()["spec"]
    assert spec["launch_plan"]["resource_type"] == "LAUNCH_PLAN" and spec["overwrite_cache"] is True
    assert "launchPlan" not in spec


def test_create_generates_a_valid_name(client):
    names = {create(client).json()["id"]["name"] for _ in range(3)}
    assert len(names) == 3
    assert all(re.fullmatch(r"a[0-9a-f]{19}", name) for name in names)


def test_int64_fields_are_strings(client):
    inputs = {"literals": {"n": {"scalar": {"primitive": {"integer": 7}}}}}
    spec = {"launch_plan": LAUNCH_PLAN, "metadata": {"nesting": 2}}
    assert (
        client.post(
            BASE,
            json={"project": "p", "domain": "d", "name": "ints", "spec": spec, "inputs": inputs},
        ).status_code
        == 200
    )
    execution = client.get(f"{BASE}/p/d/ints").json()
    assert execution["spec"]["metadata"]["nesting"] == "2"
    assert (
        execution["closure"]["computed_inputs"]["literals"]["n"]["scalar"]["primitive"]["integer"]
        == "7"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"domain": "d", "spec": {"launch_plan": LAUNCH_PLAN}}, "missing project"),
        ({"project": "p", "spec": {"launch_plan": LAUNCH_PLAN}}, "missing domain"),
        ({"project": "p", "domain": "d"}, "missing spec"),
        ({"project": "p", "domain": "d", "spec": {}}, "missing id"),
        (
            {
                "project": "p",
                "domain": "d",
                "spec": {"launch_plan": {**LAUNCH_PLAN, "version": ""}},
            },
            "missing version",
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "spec": {"launch_plan": {**LAUNCH_PLAN, "resource_type": "WORKFLOW"}},
            },
            "Invalid reference entity resource type [WORKFLOW]",
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "spec": {
                    "launch_plan": {k: v for k, v in LAUNCH_PLAN.items() if k != "resource_type"}
                },
            },
            "[UNSPECIFIED]",
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "name": "9starts-with-digit",
                "spec": {"launch_plan": LAUNCH_PLAN},
            },
            "invalid name format",
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "name": "has space",
                "spec": {"launch_plan": LAUNCH_PLAN},
            },
            "invalid name format",
        ),
        (
            {"project": "p", "domain": "d", "name": "a" * 21, "spec": {"launch_plan": LAUNCH_PLAN}},
            "exceeded length 20",
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "spec": {"launch_plan": LAUNCH_PLAN},
                "inputs": {"literals": {"x": {}}},
            },
            "missing valid literal in inputs x",
        ),
        (
            {"project": "p", "domain": "d", "spec": {"launch_plan": LAUNCH_PLAN}, "bogus": 1},
            'unknown field "bogus"',
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "spec": {"launch_plan": LAUNCH_PLAN, "launchPlan": LAUNCH_PLAN},
            },
            "duplicate field",
        ),
        (
            {"project": 1, "domain": "d", "spec": {"launch_plan": LAUNCH_PLAN}},
            "invalid value for field project",
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "spec": {"launch_plan": {**LAUNCH_PLAN, "resource_type": "NOPE"}},
            },
            "resourceType",
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "spec": {"launch_plan": LAUNCH_PLAN, "disable_all": "yes"},
            },
            "disableAll",
        ),
        (
            {
                "project": "p",
                "domain": "d",
                "spec": {"launch_plan": LAUNCH_PLAN, "metadata": {"nesting": "x"}},
            },
            "nesting",
        ),
        ({"project": "p", "domain": "d", "spec": "not an object"}, "spec"),
    ],
)
def test_create_rejects_invalid_requests(client, body, message):
    assert_error(client.post(BASE, json=body), 400, 3, message)


def test_create_rejects_an_existing_name(client):
    assert create(client, "dup").status_code == 200
    assert_error(create(client, "dup"), 409, 6, "already exists")


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[1, 2]",
        b"null",
        b'"text"',
        b"42",
        b'{"a": NaN}',
        b'{"project": "p", "project": "q"}',
        b"\xff\xfe",
    ],
)
def test_create_rejects_invalid_or_non_object_json(client, raw):
    response = client.post(BASE, content=raw, headers={"content-type": "application/json"})
    assert_error(response, 400, 3)


def test_empty_body_is_an_empty_request(client):
    assert_error(client.post(BASE, content=b""), 400, 3, "missing project")


# --- GetExecution ------------------------------------------------------------------------------


def test_get_unknown_execution_is_not_found(client):
    response = client.get(f"{BASE}/p/d/nope")
    assert_error(response, 404, 5)
    assert response.json()["message"] == (
        'missing entity of type execution with identifier project:"p" domain:"d" name:"nope"'
    )


def test_path_segments_are_percent_decoded(client):
    body = {
        "project": "my project",
        "domain": "d",
        "name": "spaced",
        "spec": {"launch_plan": LAUNCH_PLAN},
    }
    assert client.post(BASE, json=body).status_code == 200
    assert client.get(f"{BASE}/my%20project/d/spaced").json()["id"]["project"] == "my project"


def test_org_is_part_of_the_identifier(client):
    assert create(client, "orged", org="acme").status_code == 200
    assert_error(client.get(f"{BASE}/p/d/orged"), 404, 5, 'name:"orged"')
    assert client.get(f"{BASE}/p/d/orged", params={"id.org": "acme"}).json()["id"]["org"] == "acme"


def test_concurrent_creates_get_distinct_names():
    async def scenario() -> tuple[set[str], int]:
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
            body = {"project": "p", "domain": "d", "spec": {"launch_plan": LAUNCH_PLAN}}
            responses = await asyncio.gather(*(http.post(BASE, json=body) for _ in range(50)))
            listed = await http.get(f"{BASE}/p/d", params={"limit": 100})
        return {r.json()["id"]["name"] for r in responses}, len(listed.json()["executions"])

    names, listed = asyncio.run(scenario())
    assert len(names) == 50 and listed == 50


def test_each_app_has_fresh_state(client):
    assert create(client, "once").status_code == 200
    assert TestClient(create_app()).get(f"{BASE}/p/d/once").status_code == 404


# --- RecoverExecution / RelaunchExecution ------------------------------------------------------


def test_recover_copies_spec_and_references_the_original(client):
    inputs = {"literals": {"n": {"scalar": {"primitive": {"integer": "1"}}}}}
    assert create(client, "orig", inputs=inputs).status_code == 200
    response = client.post(
        f"{BASE}/recover", json={"id": {"project": "p", "domain": "d", "name": "orig"}}
    )
    assert response.status_code == 200
    new_id = response.json()["id"]
    assert new_id["name"] != "orig" and (new_id["project"], new_id["domain"]) == ("p", "d")
    recovered = client.get(f"{BASE}/p/d/{new_id['name']}").json()
    assert recovered["spec"]["launch_plan"] == {**LAUNCH_PLAN, "org": ""}
    assert recovered["spec"]["metadata"]["mode"] == "RECOVERED"
    assert recovered["spec"]["metadata"]["reference_execution"] == {
        "project": "p",
        "domain": "d",
        "name": "orig",
        "org": "",
    }
    assert recovered["closure"]["computed_inputs"] == inputs


def test_recover_with_a_name_and_camel_case_metadata(client):
    create(client, "orig")
    body = {
        "id": {"project": "p", "domain": "d", "name": "orig"},
        "name": "rec1",
        "metadata": {"parentNodeExecution": {"node_id": "n0"}},
    }
    assert client.post(f"{BASE}/recover", json=body).json()["id"]["name"] == "rec1"
    metadata = client.get(f"{BASE}/p/d/rec1").json()["spec"]["metadata"]
    assert metadata["parent_node_execution"] == {"node_id": "n0"}


def test_relaunch_sets_mode_and_overwrite_cache(client):
    create(client, "orig")
    body = {
        "id": {"project": "p", "domain": "d", "name": "orig"},
        "name": "again",
        "overwrite_cache": True,
    }
    assert client.post(f"{BASE}/relaunch", json=body).status_code == 200
    spec = client.get(f"{BASE}/p/d/again").json()["spec"]
    assert spec["metadata"]["mode"] == "RELAUNCH" and spec["overwrite_cache"] is True
    assert spec["metadata"]["reference_execution"]["name"] == "orig"
    assert_error(client.post(f"{BASE}/relaunch", json=body), 409, 6)


@pytest.mark.parametrize("action", ["recover", "relaunch"])
def test_recover_and_relaunch_reject_unknown_or_missing_ids(client, action):
    unknown = {"id": {"project": "p", "domain": "d", "name": "ghost"}}
    assert_error(client.post(f"{BASE}/{action}", json=unknown), 404, 5, 'name:"ghost"')
    assert_error(client.post(f"{BASE}/{action}", json={}), 400, 3, "missing id")
    assert_error(
        client.post(f"{BASE}/{action}", json={**unknown, "extra": 1}), 400, 3, "unknown field"
    )
    create(client, "orig")
    bad_name = {"id": {"project": "p", "domain": "d", "name": "orig"}, "name": "Bad_Name"}
    assert_error(client.post(f"{BASE}/{action}", json=bad_name), 400, 3, "invalid name format")


# --- ListExecutions ----------------------------------------------------------------------------


def test_list_pages_newest_first_with_offset_tokens(client):
    for name in ("first", "second", "third"):
        create(client, name)
    create(client, "elsewhere", domain="other")
    page = client.get(f"{BASE}/p/d", params={"limit": 2}).json()
    assert [e["id"]["name"] for e in page["executions"]] == ["third", "second"]
    assert page["token"] == "2"
    assert page["executions"][0]["spec"]["inputs"] is None
    page = client.get(f"{BASE}/p/d", params={"limit": 2, "token": page["token"]}).json()
    assert [e["id"]["name"] for e in page["executions"]] == ["first"] and page["token"] == ""
    assert client.get(f"{BASE}/p/d", params={"limit": 5, "token": "10"}).json() == {
        "executions": [],
        "token": "",
    }
    assert client.get(f"{BASE}/p/nothing", params={"limit": 5}).json() == {
        "executions": [],
        "token": "",
    }


def test_list_full_last_page_still_returns_a_token(client):
    create(client, "only")
    page = client.get(f"{BASE}/p/d", params={"limit": 1}).json()
    assert page["token"] == "1"
    assert client.get(f"{BASE}/p/d", params={"limit": 1, "token": "1"}).json() == {
        "executions": [],
        "token": "",
    }


def test_list_sorting_and_name_filter(client):
    for name in ("b-run", "a-run", "c-run"):
        create(client, name)
    ascending = client.get(
        f"{BASE}/p/d",
        params={"limit": 10, "sort_by.key": "created_at", "sort_by.direction": "ASCENDING"},
    ).json()
    assert [e["id"]["name"] for e in ascending["executions"]] == ["b-run", "a-run", "c-run"]
    by_name = client.get(
        f"{BASE}/p/d", params={"limit": 10, "sortBy.key": "name", "sortBy.direction": "1"}
    ).json()
    assert [e["id"]["name"] for e in by_name["executions"]] == ["a-run", "b-run", "c-run"]
    named = client.get(f"{BASE}/p/d", params={"limit": 10, "id.name": "a-run"}).json()
    assert [e["id"]["name"] for e in named["executions"]] == ["a-run"]


def test_list_filters(client):
    for name in ("keep", "stop", "other"):
        create(client, name)
    client.request("DELETE", f"{BASE}/p/d/stop", json={"cause": "test"})

    def names(filters: str) -> list[str]:
        response = client.get(f"{BASE}/p/d", params={"limit": 10, "filters": filters})
        assert response.status_code == 200, response.text
        return sorted(e["id"]["name"] for e in response.json()["executions"])

    assert names("eq(phase,ABORTED)") == ["stop"]
    assert names("ne(execution.phase,ABORTED)") == ["keep", "other"]
    assert names("value_in(name,keep;other)") == ["keep", "other"]
    assert names("eq(phase,RUNNING)+contains(name,ee)") == ["keep"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"limit": "0"},
        {"limit": "abc"},
        {"limit": "-1"},
        {"limit": "1.5"},
        {"limit": "4294967296"},
        {"limit": ["1", "2"]},
        {"limit": "1", "token": "abc"},
        {"limit": "1", "token": "-1"},
        {"limit": "1", "filters": "phase=ABORTED"},
        {"limit": "1", "filters": "eq(bogus,1)"},
        {"limit": "1", "filters": "nope(phase,RUNNING)"},
        {"limit": "1", "filters": "eq(phase,A;B)"},
        {"limit": "1", "filters": "value_in(phase,RUNNING)"},
        {"limit": "1", "filters": "eq(node_execution.phase,X)"},
        {"limit": "1", "sort_by.key": "bogus"},
        {"limit": "1", "sort_by.direction": "ASCENDING"},
        {"limit": "1", "sort_by.key": "name", "sort_by.direction": "SIDEWAYS"},
    ],
)
def test_list_rejects_invalid_queries(client, params):
    create(client, "x")
    assert_error(client.get(f"{BASE}/p/d", params=params), 400, 3)


def test_list_ignores_unknown_query_parameters(client):
    assert client.get(f"{BASE}/p/d", params={"limit": 1, "whatever": "x"}).status_code == 200


# --- TerminateExecution ------------------------------------------------------------------------


def test_terminate_aborts_with_cause(client):
    create(client, "victim")
    response = client.request("DELETE", f"{BASE}/p/d/victim", json={"cause": "user asked"})
    assert response.status_code == 200 and response.json() == {}
    closure = client.get(f"{BASE}/p/d/victim").json()["closure"]
    assert closure["phase"] == "ABORTED"
    assert closure["abort_cause"] == "user asked"
    assert closure["abort_metadata"] == {"cause": "user asked", "principal": ""}
    assert parse_time(closure["updated_at"]) >= parse_time(closure["created_at"])
    assert re.fullmatch(r"\d+\.\d+s", closure["duration"])


def test_terminate_twice_is_a_failed_precondition(client):
    create(client, "victim")
    assert client.request("DELETE", f"{BASE}/p/d/victim").status_code == 200  # empty body tolerated
    response = client.request("DELETE", f"{BASE}/p/d/victim", json={"cause": "again"})
    assert_error(response, 400, 9, "already terminate")
    assert response.json()["details"][0]["already_in_terminal_state"] == {
        "current_phase": "ABORTED"
    }


def test_terminate_rejects_unknown_and_malformed(client):
    assert_error(client.request("DELETE", f"{BASE}/p/d/ghost", json={}), 404, 5)
    create(client, "victim")
    assert_error(client.request("DELETE", f"{BASE}/p/d/victim", content=b"{oops"), 400, 3)
    assert_error(client.request("DELETE", f"{BASE}/p/d/victim", json=["cause"]), 400, 3)
    assert_error(client.request("DELETE", f"{BASE}/p/d/victim", json={"cause": 5}), 400, 3)
    assert client.get(f"{BASE}/p/d/victim").json()["closure"]["phase"] == "RUNNING"


# --- GetExecutionMetrics -----------------------------------------------------------------------


def test_metrics_span_shape(client):
    create(client, "measured")
    span = client.get("/api/v1/metrics/executions/p/d/measured").json()["span"]
    assert span["workflow_id"] == {"project": "p", "domain": "d", "name": "measured", "org": ""}
    assert parse_time(span["start_time"]) <= parse_time(span["end_time"])
    assert span["spans"] and all("operation_id" in child for child in span["spans"])
    shallow = client.get("/api/v1/metrics/executions/p/d/measured", params={"depth": 0}).json()[
        "span"
    ]
    assert shallow["spans"] == []


def test_metrics_errors(client):
    assert_error(client.get("/api/v1/metrics/executions/p/d/ghost"), 404, 5)
    create(client, "measured")
    assert_error(
        client.get("/api/v1/metrics/executions/p/d/measured", params={"depth": "deep"}), 400, 3
    )


# --- Routing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/api/v1/nope", f"{BASE}/p/d/n/extra", f"{BASE}/p/d/", f"{BASE}/p"]
)
def test_unknown_paths_are_not_found(client, path):
    assert_error(client.get(path), 404, 5, "Not Found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", BASE),
        ("PUT", BASE),
        ("GET", f"{BASE}/recover"),
        ("DELETE", f"{BASE}/relaunch"),
        ("POST", f"{BASE}/p/d"),
        ("PUT", f"{BASE}/p/d/n"),
        ("POST", "/api/v1/metrics/executions/p/d/n"),
    ],
)
def test_wrong_methods_are_not_allowed(client, method, path):
    assert_error(client.request(method, path), 405, 12, "Method Not Allowed")


# --- Command line ------------------------------------------------------------------------------


def test_cli_serves_on_a_free_port():
    command = [sys.executable, "-m", "simulator.flyte_admin", "--host", "127.0.0.1", "--port", "0"]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(
                timeout=deadline - time.monotonic()
            ), "simulator did not announce its address"
        line = process.stdout.readline()
        match = re.fullmatch(
            r"flyte-admin simulator listening on (http://127\.0\.0\.1:(\d+))\n", line
        )
        assert match and int(match.group(2)) > 0, line
        base_url = match.group(1)
        while True:
            try:
                response = httpx.get(f"{base_url}{BASE}/p/d", params={"limit": 1}, timeout=2)
                break
            except httpx.TransportError:
                assert (
                    time.monotonic() < deadline and process.poll() is None
                ), "simulator never became ready"
                time.sleep(0.05)  # polling interval, not synchronisation
        assert response.status_code == 200 and response.json() == {"executions": [], "token": ""}
        body = {"project": "p", "domain": "d", "name": "live", "spec": {"launch_plan": LAUNCH_PLAN}}
        assert httpx.post(f"{base_url}{BASE}", json=body, timeout=5).json()["id"]["name"] == "live"
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
