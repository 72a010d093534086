"""The generated Flyte package: its files, drift against ``generated_examples/`` (the one
golden record of whole packages), and code quality gates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from naftiko_codegen.output import MANIFEST, compare_tree
from naftiko_codegen.pipeline import Result

from .conftest import REPO

EXAMPLE = REPO / "generated_examples" / "flyte_admin_executions"
EXPECTED_FILES = {
    ".env.example",
    "Dockerfile",
    "README.md",
    "pyproject.toml",
    "flyte_admin_api_executions/__init__.py",
    "flyte_admin_api_executions/__main__.py",
    "flyte_admin_api_executions/config.py",
    "flyte_admin_api_executions/mcp_server.py",
    "flyte_admin_api_executions/py.typed",
    "flyte_admin_api_executions/rest.py",
    "flyte_admin_api_executions/rest_openapi.json",
    "flyte_admin_api_executions/upstream.py",
    # the runtime modules the package uses, copied from naftiko_codegen/runtime/
    "flyte_admin_api_executions/direct_routes.py",
    "flyte_admin_api_executions/env_settings.py",
    "flyte_admin_api_executions/errors.py",
    "flyte_admin_api_executions/exchange.py",
    "flyte_admin_api_executions/fast_json.py",
    "flyte_admin_api_executions/fast_transport.py",
    "flyte_admin_api_executions/http_app.py",
    "flyte_admin_api_executions/http_body.py",
    "flyte_admin_api_executions/json_limits.py",
    "flyte_admin_api_executions/log_masking.py",
    "flyte_admin_api_executions/mcp_answers.py",
    "flyte_admin_api_executions/mcp_app.py",
    "flyte_admin_api_executions/mcp_arguments.py",
    "flyte_admin_api_executions/mcp_progress.py",
    "flyte_admin_api_executions/mcp_results.py",
    "flyte_admin_api_executions/mcp_selection.py",
    "flyte_admin_api_executions/mcp_tools.py",
    "flyte_admin_api_executions/serving.py",
    "flyte_admin_api_executions/request_guard.py",
    "flyte_admin_api_executions/upstream_client.py",
    "flyte_admin_api_executions/wire.py",
}


def test_generated_file_set(flyte_result: Result) -> None:
    assert set(flyte_result.files) == EXPECTED_FILES


def test_checked_in_example_is_up_to_date(flyte_result: Result) -> None:
    drift = compare_tree(EXAMPLE, flyte_result.files, flyte_result.spec_digest)
    assert drift.clean, drift.diff
    assert (EXAMPLE / MANIFEST).is_file()


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example, so tool caches never land in the checked-in tree."""
    target = tmp_path_factory.mktemp("example") / "flyte"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.mark.parametrize(
    "command",
    [
        ["black", "--check", "--quiet", "."],
        ["ruff", "check", "--no-cache", "--isolated", "."],
        ["mypy", "--strict", "--no-incremental", "flyte_admin_api_executions"],
    ],
    ids=["black", "ruff", "mypy-strict"],
)
def test_generated_code_passes(example_copy: Path, command: list[str]) -> None:
    result = subprocess.run(
        [_tool(command[0]), *command[1:]],
        cwd=example_copy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_modules_import_without_side_effects(example_copy: Path) -> None:
    before = sorted(p.name for p in example_copy.rglob("*") if "__pycache__" not in p.parts)
    code = (
        "import importlib, socket\n"
        "def refuse(*a, **k): raise AssertionError('network use at import time')\n"
        "socket.socket.connect = refuse\n"
        "package = 'flyte_admin_api_executions'\n"
        "importlib.import_module(package)\n"
        "for m in ['config', 'errors', 'upstream', 'rest', 'mcp_server', '__main__']:\n"
        "    importlib.import_module(package + '.' + m)\n"
    )
    result = subprocess.run(
        [sys.executable, "-B", "-c", code],
        cwd=example_copy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    after = sorted(p.name for p in example_copy.rglob("*") if "__pycache__" not in p.parts)
    assert after == before


def test_descriptions_become_docstrings(flyte_result: Result) -> None:
    rest = flyte_result.files["flyte_admin_api_executions/rest.py"]
    assert '"""Create a workflow execution"""' in rest
    upstream = flyte_result.files["flyte_admin_api_executions/upstream.py"]
    assert "Flyte Admin API — Executions business capability." in upstream


OFFICIAL_EXAMPLES = [
    "nested-object-output-capability",
    "aggregate-shared-mock",
    "mcp-resources-prompts-capability",
]


@pytest.mark.parametrize("name", OFFICIAL_EXAMPLES)
def test_checked_in_official_examples_are_up_to_date(name: str) -> None:
    from naftiko_codegen.pipeline import compile_spec

    result = compile_spec(REPO / "tests" / "data" / "official" / f"{name}.yaml")
    out = REPO / "generated_examples" / "official" / name
    drift = compare_tree(out, result.files, result.spec_digest)
    assert drift.clean, drift.diff


@pytest.mark.parametrize(
    ("module", "absent"),
    [("rest", "mcp_types"), ("mcp_server", "fastapi")],
)
def test_an_adapter_loads_only_its_own_stack(module: str, absent: str) -> None:
    """A REST-only process never imports the MCP types, an MCP-only one never FastAPI
    (start-up time and memory: each is a fifth of a second to import)."""
    package = "flyte_admin_api_executions"
    script = f"import sys, {package}.{module}; sys.exit({absent!r} in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(EXAMPLE)}
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=120)
    assert done.returncode == 0, f"{package}.{module} imported {absent}"
