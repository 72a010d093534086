"""Orchestrated operations at build time: the located errors and warnings of `with`,
`lookup` and `script` steps (``tests/e2e/test_steps_e2e.py`` serves the same spec)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from naftiko_codegen import ir
from naftiko_codegen.diagnostics import CompilationFailed, Diagnostic
from naftiko_codegen.pipeline import compile_spec

from .steps_spec import copy_spec

# --- build-time problems --------------------------------------------------------------------


def build_errors(tmp_path: Path, old: str, new: str) -> list[Diagnostic]:
    """The diagnostics of the steps spec with ``old`` replaced by ``new`` (it must fail)."""
    spec = copy_spec(tmp_path)
    text = spec.read_text("utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(CompilationFailed) as failed:
        compile_spec(spec)
    return [d for d in failed.value.diagnostics if d.severity == "error"]


def test_missing_script_file_is_a_located_error(tmp_path: Path) -> None:
    errors = build_errors(tmp_path, '"simple-transform.py"', '"missing.py"')
    # once per use of the function: the REST operation and the MCP tool that `ref` it
    assert [error.path for error in errors] == [
        ("capability", "exposes", 0, "resources", 5, "operations", 0, "steps", 0, "file"),
        ("capability", "exposes", 1, "tools", 5, "steps", 0, "file"),
    ]
    for error in errors:
        assert error.code == "NG006"
        assert error.message.startswith("script 'missing.py': file://")
        assert error.message.endswith("/steps/scripts/missing.py does not exist")


def test_missing_dependency_is_a_located_error(tmp_path: Path) -> None:
    errors = build_errors(tmp_path, '"lib/stats.py"', '"lib/nope.py"')
    assert [error.code for error in errors] == ["NG006", "NG006"]
    assert all(error.path[-4:] == ("steps", 1, "dependencies", 0) for error in errors)


def test_groovy_script_is_refused_at_build_time(tmp_path: Path) -> None:
    old = '              file: "simple-transform.py"'
    new = '              language: "groovy"\n              file: "simple-transform.js"'
    errors = build_errors(tmp_path, old, new)
    assert [error.code for error in errors] == ["NG211", "NG211"]
    for error in errors:
        assert error.path[-3:] == ("steps", 0, "language")
        assert error.message == (
            "`groovy` script steps are not generated: the generated server runs "
            "Python and JavaScript scripts only"
        )


def test_script_outside_the_spec_folder_is_refused(tmp_path: Path) -> None:
    errors = build_errors(tmp_path, '"simple-transform.py"', '"../../escape.py"')
    assert [error.code for error in errors] == ["NG103", "NG103"]
    assert all(error.path[-1] == "file" for error in errors)


def build_warnings(tmp_path: Path, old: str, new: str) -> list[Diagnostic]:
    """The warnings of the steps spec with ``old`` replaced by ``new`` (it still builds)."""
    spec = copy_spec(tmp_path)
    text = spec.read_text("utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), "utf-8")
    return compile_spec(spec).diagnostics


def test_reading_a_step_before_it_runs_skips_the_operation(tmp_path: Path) -> None:
    warnings = build_warnings(tmp_path, '"$.get-user.teamId"', '"$.get-team.label"')
    assert [(w.code, w.message) for w in warnings] == [
        ("NG202", "step 'get-team' is read before it runs; the operation is skipped")
    ] * 2
    assert warnings[0].path[-4:] == ("steps", 1, "with", "team-id")


def test_lookup_index_must_be_an_earlier_step(tmp_path: Path) -> None:
    warnings = build_warnings(tmp_path, 'index: "list-users"', 'index: "match"')
    assert [(w.code, w.message) for w in warnings] == [
        (
            "NG202",
            "`index: match` names no earlier step of this operation; the operation is skipped",
        )
    ] * 2


def test_lookup_value_may_be_one_mustache_tag(tmp_path: Path) -> None:
    def find_user_step(spec: Path) -> Any:
        capability = compile_spec(spec).capability
        (operation,) = [
            op for op in capability.rest_adapters[0].operations if op.name == "find-user"
        ]
        return operation.steps[1]

    jsonpath = find_user_step(copy_spec(tmp_path / "a"))
    spec = copy_spec(tmp_path / "b")
    spec.write_text(spec.read_text("utf-8").replace('"$.email"', '"{{email}}"'), "utf-8")
    assert find_user_step(spec) == jsonpath
    assert jsonpath.value == ir.ContextRef("input", "email")
