"""The command line: exit codes 0/1/2/3, help texts, validate, --strict, --package-name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from naftiko_codegen import pipeline
from naftiko_codegen.cli import main
from naftiko_codegen.exit_codes import ExitCode

TESTS = Path(__file__).resolve().parent
MINIMAL = TESTS / "data" / "minimal.yaml"
INVALID = TESTS / "invalid_specs"
WARNING_SPEC = INVALID / "ng210_unused_variable.yaml"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_exit_codes_are_the_documented_ones() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 130]
    readme = (TESTS.parent / "README.md").read_text()
    documented = ((0, "success"), (1, "drift"), (2, "invalid spec"), (3, "internal"))
    for code, meaning in (*documented, (130, "interrupted")):
        assert f"| {code} | " in readme and meaning in readme


def test_build_ok_exit_0(tmp_path: Path) -> None:
    result = run("build", MINIMAL, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "out" / ".naftiko-gen.json").is_file()
    assert (tmp_path / "out" / "pet_store" / "rest.py").is_file()


def test_build_again_is_up_to_date(tmp_path: Path) -> None:
    run("build", MINIMAL, "-o", tmp_path / "out")
    result = run("build", MINIMAL, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr.endswith("is up to date\n")


def test_check_drift_exit_1(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", MINIMAL, "-o", out)
    (out / "README.md").write_text("edited\n")
    assert run("build", MINIMAL, "-o", out, "--check").exit_code == 1


def test_invalid_spec_exit_2() -> None:
    result = run("validate", INVALID / "ng101_wrong_type.yaml")
    assert result.exit_code == 2
    assert "error[NG101]" in result.stderr


def test_invalid_spec_build_exit_2_writes_nothing(tmp_path: Path) -> None:
    result = run("build", INVALID / "ng205_port_collision.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "error[NG205]" in result.stderr
    assert result.stderr.splitlines()[-1].endswith("1 error, 0 warnings")
    assert not (tmp_path / "out").exists()


def test_invalid_spec_check_exit_2(tmp_path: Path) -> None:
    result = run("build", INVALID / "ng001_syntax_error.yaml", "-o", tmp_path, "--check")
    assert result.exit_code == 2
    assert "error[NG001]" in result.stderr


def test_internal_error_exit_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "compile_spec", explode)
    monkeypatch.setattr(pipeline, "lower", explode)
    monkeypatch.delenv("NAFTIKO_GEN_DEBUG", raising=False)
    for args in (("build", MINIMAL, "-o", tmp_path / "out"), ("validate", MINIMAL)):
        result = run(*args)
        assert result.exit_code == 3
        assert result.stderr.startswith("naftiko-gen: internal error: RuntimeError: boom\n")
        assert "please report it" in result.stderr
        assert "Traceback" not in result.stderr


def test_internal_error_traceback_with_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "lower", explode)
    monkeypatch.setenv("NAFTIKO_GEN_DEBUG", "1")
    result = run("validate", MINIMAL)
    assert result.exit_code == 3
    assert "Traceback" in result.stderr


def test_internal_error_in_a_real_process(tmp_path: Path) -> None:
    """The installed entry point: exit 3 and no traceback when the pipeline raises."""
    script = (
        "import sys, naftiko_codegen.pipeline as p\n"
        "def explode(*a, **k): raise KeyError('boom')\n"
        "p.lower = explode\n"
        "from naftiko_codegen.cli import run\n"
        "sys.argv = ['naftiko-gen', 'validate', sys.argv[1]]\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NAFTIKO_GEN_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(MINIMAL)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr and "internal error: KeyError" in done.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("build", MINIMAL).exit_code == 2  # no -o
    assert run("validate").exit_code == 2  # no SPEC
    assert run("frobnicate").exit_code == 2
    assert run("validate", "--format", "xml", MINIMAL).exit_code == 2
    assert run("build", tmp_path, "-o", tmp_path / "out").exit_code == 2  # SPEC is a directory


def test_help_texts() -> None:
    top = run("--help")
    assert top.exit_code == 0
    assert "Exit codes: 0 success, 1 drift" in top.stdout
    assert "build " in top.stdout and "validate " in top.stdout
    build = run("build", "--help")
    assert build.exit_code == 0
    for option in ("--output", "--check", "--diff", "--force", "--package-name", "--strict"):
        assert option in build.stdout
    assert "manifest" in build.stdout and "Exit 0 on success" in build.stdout
    validate = run("validate", "--help")
    assert validate.exit_code == 0
    assert "--format [text|json]" in validate.stdout and "--strict" in validate.stdout
    assert run("-h").stdout == top.stdout


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("naftiko-gen, version ")


def test_validate_several_files() -> None:
    result = run(
        "validate",
        MINIMAL,
        WARNING_SPEC,
        INVALID / "ng002_duplicate_key.yaml",
        INVALID / "ng101_wrong_type.yaml",
    )
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if not line.startswith(" ")]
    diagnostics = [line for line in lines if not line.startswith("naftiko-gen: ")]
    assert [line.split(": ", 2)[1] for line in diagnostics] == [
        "warning[NG210]",
        "error[NG002]",
        "error[NG101]",
    ]
    per_spec = [line for line in lines if line.startswith("naftiko-gen: ")][:-1]
    assert [line.rsplit(": ", 1)[1] for line in per_spec] == [
        "0 errors, 0 warnings (Naftiko 1.0.0-alpha2)",
        "0 errors, 1 warning (Naftiko 1.0.0-alpha2)",
        "1 error, 0 warnings",  # a spec that cannot be loaded names no language
        "1 error, 0 warnings (Naftiko 1.0.0-alpha2)",
    ]
    assert lines[-1] == "naftiko-gen: 4 spec(s): 2 errors, 1 warning"


def test_validate_valid_files_exit_0() -> None:
    result = run("validate", MINIMAL, WARNING_SPEC)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "naftiko-gen: 2 spec(s): 0 errors, 1 warning"


def test_validate_json_valid() -> None:
    result = run("validate", "--format", "json", MINIMAL)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "valid": True,
        "diagnostics": [],
        "specs": [{"file": str(MINIMAL), "language": "Naftiko 1.0.0-alpha2"}],
    }
    assert result.stderr == ""


def test_strict_turns_a_warning_into_exit_2(tmp_path: Path) -> None:
    assert run("validate", WARNING_SPEC).exit_code == 0
    strict = run("validate", "--strict", WARNING_SPEC)
    assert strict.exit_code == 2
    assert "error[NG210]" in strict.stderr
    built = run("build", WARNING_SPEC, "-o", tmp_path / "lenient")
    assert built.exit_code == 0 and "warning[NG210]" in built.stderr
    refused = run("build", WARNING_SPEC, "-o", tmp_path / "strict", "--strict")
    assert refused.exit_code == 2
    assert "error[NG210]" in refused.stderr
    assert not (tmp_path / "strict").exists()


def test_strict_check_of_a_warning_spec_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", WARNING_SPEC, "-o", out).exit_code == 0
    assert run("build", WARNING_SPEC, "-o", out, "--check").exit_code == 0
    assert run("build", WARNING_SPEC, "-o", out, "--check", "--strict").exit_code == 2


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("my-package", "is not a Python package name"),
        ("1abc", "is not a Python package name"),
        ("pâte", "is not a Python package name"),
        ("", "is not a Python package name"),
        ("class", "is a Python keyword"),
        ("json", "would hide the module"),
        ("mcp", "would hide the module"),
        ("fastapi", "would hide the module"),
    ],
)
def test_bad_package_name_exit_2(tmp_path: Path, name: str, reason: str) -> None:
    result = run("build", MINIMAL, "-o", tmp_path / "out", "--package-name", name)
    assert result.exit_code == 2
    assert "Invalid value for '--package-name'" in result.stderr and reason in result.stderr
    assert not (tmp_path / "out").exists()


def test_package_name_override(tmp_path: Path) -> None:
    result = run("build", MINIMAL, "-o", tmp_path / "out", "--package-name", "petz")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "petz" / "__init__.py").is_file()
    assert not (tmp_path / "out" / "pet_store").exists()


def test_missing_spec_file_exit_2(tmp_path: Path) -> None:
    result = run("build", tmp_path / "nope.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "error[NG006]: cannot read file: No such file or directory" in result.stderr


def test_output_is_a_file_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    for extra in ((), ("--check",), ("--diff",)):
        result = run("build", MINIMAL, "-o", target, *extra)
        assert result.exit_code == 2, extra
        assert "is a file" in result.stderr
    assert target.read_text() == "x"


def test_console_script_runs() -> None:
    """The installed `naftiko-gen` script and `python -m naftiko_codegen` both work."""
    script = Path(sys.executable).with_name("naftiko-gen")
    for command in ([str(script)], [sys.executable, "-m", "naftiko_codegen"]):
        if command[0] == str(script) and not script.exists():
            continue
        done = subprocess.run(
            [*command, "validate", str(WARNING_SPEC)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "warning[NG210]" in done.stderr


def test_builds_with_and_without_the_caches_are_identical(tmp_path: Path) -> None:
    """A first build (caches empty), a second (caches filled) and one with caching off write
    the same bytes."""
    spec = TESTS.parent / "specs" / "flyte-admin-executions.yaml"

    def build(cache: str, out: Path) -> dict[str, bytes]:
        env = {**os.environ, "NAFTIKO_GEN_CACHE_DIR": cache}
        command = [sys.executable, "-m", "naftiko_codegen", "build", str(spec), "-o", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    cache = tmp_path / "cache"
    first = build(str(cache), tmp_path / "first")
    assert any(cache.rglob("*")), "the format cache was not written"
    second = build(str(cache), tmp_path / "second")
    assert first == second == build("off", tmp_path / "uncached")
