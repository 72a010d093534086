"""JavaScript ``script`` steps served for real: ``tests/data/javascript/javascript-steps.yaml``
(the official engine's sample scripts) built, pip-installed and started (REST, MCP and the
control port on free ports of 127.0.0.1) in front of an upstream answering by path; clients
are real (httpx, the ``mcp`` SDK)."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from naftiko_codegen.diagnostics import CompilationFailed
from naftiko_codegen.pipeline import compile_spec

from ..conftest import DATA, ServerProcess, build_into, pip_install, start_server
from ..proxy_support import Recorded, RecordingUpstream, Reply

pytestmark = pytest.mark.e2e

SPEC = DATA / "javascript" / "javascript-steps.yaml"
ROUTES: dict[str, Any] = {
    "/orders": [{"id": 1, "amount": 12.5}, {"id": 2, "amount": 30}],
    "/members": [
        {"login": "ada", "id": 1, "type": "User"},
        {"login": "ci-bot", "id": 2, "type": "Bot"},
        {"login": "bob", "id": 3, "type": "User"},
    ],
    "/items": [{"name": "bolt", "stock": 3}, {"name": "nut", "stock": 10}],
}


class Shop(RecordingUpstream):
    def _reply_to(self, request: Recorded) -> Reply:
        if request.path in ROUTES:
            return Reply(body=json.dumps(ROUTES[request.path]).encode())
        return Reply(status=404, body=b'{"message": "no such path"}')


class Served:
    def __init__(self, root: Path, shop: Shop) -> None:
        result = build_into(SPEC, root / "out")
        self.out = root / "out"
        site = pip_install(root / "out", root / "site")
        cap = result.capability
        prefix = cap.env_prefix + "_"
        env = {"PYTHONPATH": str(site), prefix + "LOG_LEVEL": "WARNING"}
        env[cap.apis[0].base_uri_env] = shop.url
        for adapter in [*cap.rest_adapters, *cap.listeners]:
            env[f"{prefix}{adapter.key.upper()}_PORT"] = "0"
        count = len(cap.rest_adapters) + len(cap.listeners)
        self.server: ServerProcess = start_server(
            [sys.executable, "-m", cap.package, "all"], expected=count, env=env
        )

    def rest(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.server.url("REST") + path, params=params, timeout=30)

    def tool(self, name: str, arguments: dict[str, Any]) -> Any:
        async def run() -> Any:
            async with Client(self.server.url("MCP") + "/mcp") as client:
                return await client.call_tool(name, arguments)

        return anyio.run(run)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    shop = Shop()
    started = Served(tmp_path_factory.mktemp("javascript"), shop)
    try:
        yield started
    finally:
        started.server.stop()
        shop.close()


def test_the_package_runs_scripts_in_v8_only(served: Served) -> None:
    pyproject = (served.out / "pyproject.toml").read_text()
    assert '"mini-racer>=' in pyproject
    package = next(path for path in served.out.iterdir() if (path / "scripts.json").exists())
    assert not (package / "scripting.py").exists()  # no Python script runner
    assert sorted(json.loads((package / "scripts.json").read_text())) == [
        "scripts/active-members.js",
        "scripts/compute-totals.js",
        "scripts/filter-by-threshold.js",
        "scripts/host-access.js",
        "scripts/infinite-loop.js",
        "scripts/lib/array-utils.js",
        "scripts/no-result.js",
    ]


def test_a_script_after_a_call(served: Served) -> None:
    response = served.rest("/totals")
    assert response.status_code == 200, response.text
    assert response.json() == {"count": 2, "total": 42.5}
    result = served.tool("totals", {})
    assert not result.is_error, result.content
    assert result.structured_content == {"count": 2, "total": 42.5}


def test_a_script_with_a_dependency(served: Served) -> None:
    response = served.rest("/members")
    assert response.status_code == 200, response.text
    assert response.json() == {"members": [{"id": 1, "login": "ada"}, {"id": 3, "login": "bob"}]}


def test_a_with_value_reaches_the_script(served: Served) -> None:
    response = served.rest("/low-stock", limit="5")
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [{"name": "bolt", "stock": 3}]}
    result = served.tool("low-stock", {"limit": 11})
    assert result.structured_content == {"items": ROUTES["/items"]}


def test_no_result_is_null(served: Served) -> None:
    response = served.rest("/silent")
    assert response.status_code == 200, response.text
    assert response.json() == {"value": None}


def test_the_host_is_out_of_reach(served: Served) -> None:
    response = served.rest("/host")
    assert response.status_code == 502
    problem = response.json()
    assert problem["step"] == "grab"
    assert problem["detail"] == (
        "step 'grab' failed, later steps were not run: the script failed: "
        "ReferenceError: java is not defined (line 2 of scripts/host-access.js)"
    )


def test_an_endless_script_is_stopped_at_the_timeout(served: Served) -> None:
    started = time.monotonic()
    response = served.rest("/spin")
    assert response.status_code == 502
    assert response.json()["detail"] == (
        "step 'loop' failed, later steps were not run: "
        "the script did not finish within 1.5 s and was stopped"
    )
    assert time.monotonic() - started < 10
    result = served.tool("spin", {})
    assert result.is_error
    assert result.content[0].text.startswith("Step 'loop' failed, later steps were not run:")
    assert served.rest("/totals").status_code == 200  # the server goes on serving


def test_a_language_allowedlanguages_leaves_out_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "javascript"
    shutil.copytree(SPEC.parent, folder)
    spec = folder / SPEC.name
    spec.write_text(
        spec.read_text().replace("allowedLanguages: [javascript]", "allowedLanguages: [python]")
    )
    with pytest.raises(CompilationFailed) as failed:
        compile_spec(spec)
    errors = {(d.code, d.message) for d in failed.value.diagnostics if d.severity == "error"}
    assert errors == {
        (
            "NG103",
            "`management.scripting.allowedLanguages` does not allow `javascript`, which a "
            "script step uses",
        )
    }
