"""Every capability of the corpus compiles, keeps its operations, and gives agents tools they
can call.

* every alpha2 file builds (the two deliberate negative examples fail with located errors),
  no file hits an internal error, the generated Python parses, and every exposed operation is
  generated or skipped with a warning that ``tests/data/corpus/expected-skips.yaml`` lists;
  the counts are printed at the end of the run (``tests/corpus_check.py``);
* a sample spread over every provider passes ``mypy --strict`` and imports;
* the MCP tools of every ``more-apis/`` and ``other-apis/`` file, listed through the ``mcp``
  client, require only path placeholders and declared-required arguments, give every array
  its ``items`` and every argument a description.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from naftiko_codegen import ir
from naftiko_codegen.diagnostics import CompilationFailed, Severity
from naftiko_codegen.loader import load_document
from naftiko_codegen.output import write_tree
from naftiko_codegen.pipeline import analyse, compile_spec
from naftiko_codegen.render import render_package

from . import corpus_check
from .conftest import import_every_module
from .corpus_check import CORPUS, NEGATIVE, Outcome, Report, capability_files


@pytest.fixture(scope="module")
def report() -> Report:
    """The corpus check, run once; its summary is printed at the end of the session."""
    result = corpus_check.run()
    corpus_check.SUMMARIES.append(result.summary())
    return result


def test_every_file_builds_and_keeps_its_operations(report: Report) -> None:
    assert len(report.outcomes) > 500
    assert not report.failures, "\n".join(report.failures)


def test_skipped_operations_stay_below_half_a_percent(report: Report) -> None:
    exposed = sum(o.exposed for o in report.outcomes)
    skipped = sum(len(o.skipped) for o in report.outcomes)
    assert skipped < 0.005 * exposed, report.summary()


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative_official_examples_fail_with_located_errors(name: str) -> None:
    with pytest.raises(CompilationFailed) as failure:
        compile_spec(CORPUS / name)
    errors = [d for d in failure.value.diagnostics if d.severity is Severity.ERROR]
    assert errors
    for diagnostic in errors:
        assert diagnostic.line > 1 and diagnostic.column >= 1
        assert diagnostic.json_path.startswith("$.capability")


# --------------------------------------------------------------------------- mypy and import


def _providers(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    """Built outcomes by provider folder (``more-apis/square``, ``flyte``, …)."""
    grouped: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        parts = outcome.spec.split("/")
        provider = "/".join(parts[:2]) if parts[0] in ("more-apis", "other-apis") else parts[0]
        if outcome.capability is not None:
            grouped.setdefault(provider, []).append(outcome)
    return grouped


@pytest.fixture(scope="module")
def sample_packages(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two built files of every provider (and the positive official examples' first two of
    every folder), fully built (formatted) as packages ``sample_<n>`` under one root."""
    root = tmp_path_factory.mktemp("sample")
    chosen = [o for group in _providers(report.outcomes).values() for o in group[:2]]
    for index, outcome in enumerate(chosen):
        result = compile_spec(CORPUS / outcome.spec, package_name=f"sample_{index}")
        write_tree(root / f"out_{index}", result.files, result.spec_digest)
        (root / f"sample_{index}").symlink_to(root / f"out_{index}" / f"sample_{index}")
    return root


def test_sample_spans_every_provider(sample_packages: Path, report: Report) -> None:
    assert len(_providers(report.outcomes)) >= 20
    assert len(list(sample_packages.glob("sample_*"))) >= 30


def test_sample_passes_mypy_strict(sample_packages: Path) -> None:
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    for package in sorted(p.name for p in sample_packages.glob("sample_*")):
        command += ["-p", package]
    result = subprocess.run(
        command, cwd=sample_packages, capture_output=True, text=True, timeout=1200
    )
    assert result.returncode == 0, result.stdout[-5000:]


def test_sample_imports(sample_packages: Path) -> None:
    packages = sorted(p.name for p in sample_packages.glob("sample_*"))
    result = import_every_module(sample_packages, packages)
    assert result.returncode == 0, result.stderr[-5000:]
    assert result.stdout == ""


# --------------------------------------------------------------------------- MCP tools

_LISTER = r"""
import asyncio, importlib, json, sys

from mcp import Client


async def tools_of(package, environ):
    config = importlib.import_module(package + ".config")
    server_module = importlib.import_module(package + ".mcp_server")
    server, _ = server_module.create_server(config.load_settings(environ))
    async with Client(server) as client:
        listed = await client.list_tools()
    return [{"name": t.name, "schema": t.input_schema} for t in listed.tools]


async def main():
    jobs = json.loads(sys.stdin.read())
    print(json.dumps({p: await tools_of(p, env) for p, env in jobs.items()}))


asyncio.run(main())
"""


def _environment(capability: ir.Capability) -> dict[str, str]:
    """Settings that let the package start: every base URL, placeholder and bound variable."""
    environ = {api.base_uri_env: "http://127.0.0.1:9" for api in capability.apis}
    for api in capability.apis:
        environ.update({p.env: "x" for p in api.base_uri_placeholders if p.env})
    environ.update({v.source_key: "x" for v in capability.variables})
    return environ


def _callable_by_agents(capability: ir.Capability, data: Any) -> dict[str, set[str]]:
    """For each MCP tool: the arguments it may require (path placeholders, arguments the spec
    declares required, and parameters the upstream declares ``required: true``)."""
    allowed: dict[str, set[str]] = {}
    specs = _tool_specs(data)
    for adapter in capability.mcp_adapters:
        for tool in adapter.tools:
            names = {i.name for i in tool.inputs if i.location == "path"}
            declared = specs.get(tool.name, {}).get("inputParameters") or []
            names |= {p["name"] for p in declared if p.get("required", True)}
            by_ident = {i.ident: i.name for i in tool.inputs}
            if tool.invocation is not None:
                for param, source in tool.invocation.arguments:
                    if isinstance(source, ir.InputValue) and param.required_declared:
                        names.add(by_ident.get(source.input, ""))
                body = tool.invocation.operation.body_param
                if body is not None and body.required_declared:
                    names.add("body")
            allowed[tool.name] = names
    return allowed


def _tool_specs(data: Any) -> dict[str, Any]:
    """The tool entries of a document, by name (after ``ref`` the name is the tool's own)."""
    found: dict[str, Any] = {}
    for adapter in data.get("capability", {}).get("exposes", []):
        if adapter.get("type") == "mcp":
            for tool in adapter.get("tools") or []:
                found.setdefault(str(tool.get("name")), tool)
    return found


def _arrays_without_items(schema: Any, where: str = "") -> Iterator[str]:
    if isinstance(schema, dict):
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "array" in kinds and "items" not in schema:
            yield where or "$"
        for key, value in schema.items():
            yield from _arrays_without_items(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _arrays_without_items(value, f"{where}[{index}]")


@pytest.fixture(scope="module")
def listed_tools(report: Report, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every MCP tool of ``more-apis/`` and ``other-apis/``, listed through the ``mcp``
    client (the packages rendered, unformatted, and imported in one process)."""
    root = tmp_path_factory.mktemp("listed")
    (root / "packages").mkdir()
    jobs: dict[str, dict[str, str]] = {}
    expected: dict[str, tuple[str, dict[str, set[str]]]] = {}
    for index, spec in enumerate(capability_files("more-apis", "other-apis")):
        package = f"listed_{index}"
        capability, _, digest = analyse(spec, package_name=package)
        if not capability.mcp_adapters:
            continue
        write_tree(root / package, render_package(capability, digest), digest)
        (root / "packages" / package).symlink_to(root / package / package)
        jobs[package] = _environment(capability)
        allowed = _callable_by_agents(capability, load_document(spec).data)
        expected[package] = (spec.relative_to(CORPUS).as_posix(), allowed)
    result = subprocess.run(
        [sys.executable, "-B", "-c", _LISTER],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=root / "packages",
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return {"listed": json.loads(result.stdout), "expected": expected}


def test_tools_are_listed_for_every_file_with_an_mcp_adapter(listed_tools: dict[str, Any]) -> None:
    listed, expected = listed_tools["listed"], listed_tools["expected"]
    assert listed.keys() == expected.keys() and len(listed) > 400
    assert sum(len(tools) for tools in listed.values()) > 3000


def test_tools_require_only_placeholders_and_declared_arguments(
    listed_tools: dict[str, Any],
) -> None:
    problems = []
    for package, tools in listed_tools["listed"].items():
        spec, allowed = listed_tools["expected"][package]
        for tool in tools:
            extra = set(tool["schema"].get("required", [])) - allowed[tool["name"]]
            if extra:
                problems.append(f"{spec}: {tool['name']} requires {sorted(extra)}")
    assert not problems, "\n".join(problems[:40])


def test_tool_arrays_have_items_and_arguments_have_descriptions(
    listed_tools: dict[str, Any],
) -> None:
    problems = []
    for package, tools in listed_tools["listed"].items():
        spec = listed_tools["expected"][package][0]
        for tool in tools:
            for where in _arrays_without_items(tool["schema"]):
                problems.append(f"{spec}: {tool['name']}: array without items at {where}")
            for name, schema in tool["schema"].get("properties", {}).items():
                if not schema.get("description"):
                    problems.append(f"{spec}: {tool['name']}: argument {name!r} undescribed")
    assert not problems, "\n".join(problems[:40])
