"""``naftiko-gen build --openapi [NAMESPACE=]FILE``: what it writes and how it fails."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from naftiko_codegen.cli import main

TESTS = Path(__file__).resolve().parent
FLYTE = TESTS.parent / "specs" / "flyte-admin-executions.yaml"
OPENAPI = TESTS / "data" / "openapi" / "flyte-admin-executions.openapi.json"
PACKAGE = "flyte_admin_api_executions"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_build_with_an_openapi_document_and_check_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = run("build", FLYTE, "-o", out, "--openapi", OPENAPI)
    assert built.exit_code == 0, built.stderr
    assert "NG215" not in built.stderr  # every Flyte operation is in the document
    assert (out / PACKAGE / "input_checks.py").is_file()
    assert '"jsonschema>=4.20"' in (out / "pyproject.toml").read_text()
    assert run("build", FLYTE, "-o", out, "--openapi", OPENAPI, "--check").exit_code == 0
    plain = run("build", FLYTE, "-o", out, "--check")
    assert plain.exit_code == 1 and f"extra: {out / PACKAGE / 'input_checks.py'}" in plain.stderr
    named = run("build", FLYTE, "-o", out, "--openapi", f"admin-executions={OPENAPI}", "--check")
    assert named.exit_code == 0, named.stdout


def test_unmatched_operations_are_one_warning_and_strict_refuses_them(tmp_path: Path) -> None:
    document = json.loads(OPENAPI.read_text("utf-8"))
    document["paths"] = {"/api/v1/executions": document["paths"]["/api/v1/executions"]}
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(document), "utf-8")
    built = run("build", FLYTE, "-o", tmp_path / "out", "--openapi", partial)
    assert built.exit_code == 0
    [line] = [line for line in built.stderr.splitlines() if "NG215" in line]
    assert "6 consumed operations match no operation of" in line
    assert "admin-executions.createexecution" not in line
    assert "admin-executions.getexecution (GET /api/v1/executions/{id.project}" in line
    strict = run("build", FLYTE, "-o", tmp_path / "strict", "--openapi", partial, "--strict")
    assert strict.exit_code == 2 and "error[NG215]" in strict.stderr
    assert not (tmp_path / "strict").exists()


def test_unusable_documents_exit_2_and_write_nothing(tmp_path: Path) -> None:
    not_openapi = tmp_path / "other.yaml"
    not_openapi.write_text("asyncapi: 2.6.0\nchannels: {}\n", "utf-8")
    cases = [
        (tmp_path / "missing.json", "error[NG006]: cannot read file"),
        (not_openapi, "error[NG214]: not an OpenAPI document"),
        (f"elsewhere={OPENAPI}", "error[NG214]: `--openapi elsewhere=...` names no consumed API"),
    ]
    for value, message in cases:
        out = tmp_path / "out"
        result = run("build", FLYTE, "-o", out, "--openapi", value)
        assert result.exit_code == 2, result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists()


def test_every_openapi_code_reaches_the_command_line(tmp_path: Path) -> None:
    document = json.loads(OPENAPI.read_text("utf-8"))
    schemas = document["components"]["schemas"]
    schemas["coreIdentifier"] = {"$ref": "https://example.com/identifier.json"}
    remote = tmp_path / "remote.json"
    remote.write_text(json.dumps(document, indent=1), "utf-8")
    built = run("build", FLYTE, "-o", tmp_path / "out", "--openapi", remote)
    assert built.exit_code == 0, built.stderr
    [line] = [line for line in built.stderr.splitlines() if "NG216" in line]
    assert line.startswith(f"{remote}:")
    assert "`$ref` 'https://example.com/identifier.json' is not followed" in line
    seen = {"NG216"}
    for value in (tmp_path / "missing.json", f"elsewhere={OPENAPI}"):
        result = run("build", FLYTE, "-o", tmp_path / "bad", "--openapi", value)
        seen |= {code for code in ("NG214", "NG006") if f"[{code}]" in result.stderr}
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({**document, "paths": {}}), "utf-8")
    result = run("build", FLYTE, "-o", tmp_path / "partial", "--openapi", partial)
    seen |= {"NG215"} if "[NG215]" in result.stderr else set()
    assert {"NG214", "NG215", "NG216"} <= seen
