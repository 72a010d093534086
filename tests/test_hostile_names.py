"""No name can break the build: a capability whose every name is a Python keyword, a
builtin, a module name or a name the generated code uses itself compiles, passes
``mypy --strict`` and ruff, and passes every value to the right place on the wire.

The names are harvested from the generated code itself (every name a generated module binds
or reads), so a template that starts using a new name is covered without editing this test;
``naftiko_codegen/names.py`` keeps the reserved list this test proves complete.
"""

from __future__ import annotations

import ast
import builtins
import functools
import keyword
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from naftiko_codegen.pipeline import analyse
from naftiko_codegen.render import render_package

from .conftest import CORPUS, DATA, FLYTE_SPEC, build_into, pip_install, start_server
from .proxy_support import RecordingUpstream, upstream_fixture

HARVESTED_FROM = [
    FLYTE_SPEC,
    DATA / "official" / "mcp-resources-prompts-capability.yaml",
    DATA / "official" / "xml-capability.yaml",
    DATA / "auth-capability.yaml",
    DATA / "flyte-with-control.yaml",
    CORPUS / "naftiko-framework" / "aggregates" / "aggregate-basic.yaml",
    CORPUS / "other-apis" / "twilio" / "voice-calls.yaml",
]
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def generated_names() -> set[str]:
    """Every lower-case name the generated modules of a few rich capabilities bind or read."""
    found: set[str] = set()
    for spec in HARVESTED_FROM:
        capability, _, digest = analyse(spec)
        for path, text in render_package(capability, digest).items():
            if not path.endswith(".py"):
                continue
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.Name):
                    found.add(node.id)
                elif isinstance(node, ast.arg):
                    found.add(node.arg)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    found.add(node.name)
                elif isinstance(node, ast.alias):
                    found.add((node.asname or node.name).split(".")[0])
    return {name for name in found if _NAME.match(name)}


@functools.cache
def hostile_names() -> list[str]:
    """Keywords, soft keywords, builtins and the generated code's own names, sorted."""
    names = set(keyword.kwlist) | set(keyword.softkwlist) | generated_names()
    names |= {name for name in dir(builtins) if _NAME.match(name)}
    names |= {"json", "re", "os", "sys", "types", "httpx", "mcp", "typing", "asyncio"}
    return sorted(names - {"_"}) + ["_"]


def hostile_spec(names: list[str]) -> dict[str, Any]:
    """One consumed operation per name (its path placeholder, operation and resource are
    that name, its query parameter the next name), a REST route and an MCP tool for each."""
    pairs = list(zip(names, names[1:] + names[:1], strict=True))
    return {
        "naftiko": "1.0.0-alpha2",
        "info": {"label": "class", "description": "Every name is one Python or we use."},
        "capability": {
            "consumes": [
                {
                    "type": "http",
                    "namespace": "open",
                    "baseUri": "http://localhost:1",
                    "resources": [
                        {
                            "name": name,
                            "path": f"/r{index}/items/{{{name}}}",
                            "operations": [
                                {
                                    "name": name,
                                    "method": "GET",
                                    "inputParameters": [
                                        {"name": name, "in": "path"},
                                        {"name": query, "in": "query"},
                                    ],
                                }
                            ],
                        }
                        for index, (name, query) in enumerate(pairs)
                    ],
                }
            ],
            "exposes": [
                {
                    "type": "rest",
                    "namespace": "json",
                    "port": 8080,
                    "resources": [
                        {
                            "name": name,
                            "path": f"/v1/r{index}/{{{name}}}",
                            "operations": [
                                {
                                    "name": name,
                                    "method": "GET",
                                    "call": f"open.{name}",
                                    "with": {query: f"rest.{query}"},
                                }
                            ],
                        }
                        for index, (name, query) in enumerate(pairs)
                    ],
                },
                {
                    "type": "mcp",
                    "namespace": "import",
                    "port": 9090,
                    "tools": [
                        {"name": name, "description": f"Tool {name}.", "call": f"open.{name}"}
                        for name, _ in pairs
                    ],
                },
            ],
        },
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile capability, built (in black's layout) into ``out`` and installed."""
    root = tmp_path_factory.mktemp("hostile")
    spec = root / "hostile.yaml"
    spec.write_text(yaml.safe_dump(hostile_spec(hostile_names()), sort_keys=False), "utf-8")
    result = build_into(spec, root / "out")
    assert not result.diagnostics, [d.format_text() for d in result.diagnostics]
    assert len(result.capability.rest_adapters[0].operations) == len(hostile_names())
    assert len(result.capability.mcp_adapters[0].tools) == len(hostile_names())
    pip_install(root / "out", root / "site")
    return root


def test_there_are_many_hostile_names() -> None:
    for name in ("class", "import", "type", "json", "args", "settings", "upstream", "path"):
        assert name in hostile_names()
    assert len(hostile_names()) > 200


def test_hostile_package_passes_mypy_and_ruff(hostile: Path) -> None:
    out = hostile / "out"
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "class_capability"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert mypy.returncode == 0, mypy.stdout[-4000:]
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,E9", "."],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ruff.returncode == 0, ruff.stdout[-4000:]


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    yield from upstream_fixture()


@pytest.fixture(scope="module")
def servers(hostile: Path, upstream: RecordingUpstream) -> Iterator[tuple[str, str]]:
    """The hostile package's REST and MCP servers in front of the recording upstream."""
    prefix = "CLASS_CAPABILITY_"
    server = start_server(
        [sys.executable, "-m", "class_capability", "all"],
        expected=2,
        env={
            "PYTHONPATH": str(hostile / "site"),
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
    names = hostile_names()
    return [(i, n, q) for i, (n, q) in enumerate(zip(names, names[1:] + names[:1], strict=True))]


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
