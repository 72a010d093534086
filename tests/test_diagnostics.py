"""Every diagnostic code, located and snapshotted: one invalid spec per problem, a few with many.

Each spec in ``tests/invalid_specs/`` is validated in-process (``naftiko-gen validate``) from
inside that folder, so the file names in the snapshots do not depend on the machine. The text
output (stderr) and the JSON output (stdout) are both snapshotted, and a few properties are
asserted directly: the code named by the file name is reported, diagnostics come sorted by
position, and the exit code matches the severities.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from syrupy.assertion import SnapshotAssertion

from naftiko_codegen import loader
from naftiko_codegen.cli import main
from naftiko_codegen.diagnostics import CODES

INVALID = Path(__file__).resolve().parent / "invalid_specs"
SPECS = sorted(p.name for p in INVALID.glob("*.yaml"))
OPENAPI_CODES = {"NG214", "NG215", "NG216"}
"""Codes about ``--openapi`` documents, which ``validate`` does not read: each is triggered
by a build in ``tests/test_cli_openapi.py``."""


def validate(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


@pytest.fixture(autouse=True)
def _in_invalid_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)


def _codes_expected(name: str) -> set[str]:
    """``ng203_...yaml`` names NG203; ``many_*`` files name none."""
    match = re.match(r"ng(\d{3})_", name)
    return {f"NG{match.group(1)}"} if match else set()


def _key(diagnostic: dict[str, Any]) -> tuple[Any, ...]:
    return (diagnostic["file"], diagnostic["line"], diagnostic["column"])


@pytest.mark.parametrize("name", SPECS)
def test_text_output(name: str, snapshot: SnapshotAssertion) -> None:
    result = validate(name)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr == snapshot
    for code in _codes_expected(name):
        assert f"[{code}]" in result.stderr


@pytest.mark.parametrize("name", SPECS)
def test_json_output(name: str, snapshot: SnapshotAssertion) -> None:
    result = validate("--format", "json", name)
    document = json.loads(result.stdout)
    assert result.stderr == ""
    assert document == snapshot
    diagnostics = document["diagnostics"]
    assert diagnostics, "every spec in invalid_specs has at least one problem"
    assert diagnostics == sorted(diagnostics, key=_key), "diagnostics are sorted by position"
    errors = [d for d in diagnostics if d["severity"] == "error"]
    assert document["valid"] is (not errors)
    assert result.exit_code == (2 if errors else 0)
    for diagnostic in diagnostics:  # an imported file's own problems are located in it
        assert diagnostic["file"] == name or diagnostic["file"].startswith("shared/")
        assert diagnostic["title"] == CODES[diagnostic["code"]]
        assert diagnostic["line"] >= 1 and diagnostic["column"] >= 1
        assert diagnostic["path"].startswith("$")
    assert _codes_expected(name) <= {d["code"] for d in diagnostics}


def test_every_code_is_covered() -> None:
    """Each code in diagnostics.CODES is triggered by at least one spec in the folder."""
    seen: set[str] = set()
    for name in SPECS:
        document = json.loads(validate("--format", "json", name).stdout)
        seen.update(d["code"] for d in document["diagnostics"])
    migrated = CliRunner().invoke(main, ["migrate", "many_warnings.yaml"], catch_exceptions=False)
    seen.update(re.findall(r"\[(NG\d{3})\]", migrated.stderr))  # NG217: migrate's own
    missing = set(CODES) - seen - OPENAPI_CODES
    assert not missing, f"no invalid spec triggers {sorted(missing)}"
    assert seen <= set(CODES)


def test_many_problems_are_reported_at_once() -> None:
    """A spec with many problems of one phase gets all of them, in position order."""
    expectations = {
        "many_loader_problems.yaml": ["NG002", "NG004", "NG004", "NG002", "NG004"],
        "many_schema_problems.yaml": [
            "NG100",
            "NG103",
            "NG103",
            "NG101",
            "NG100",
            "NG102",
            "NG104",
        ],
        "many_semantic_errors.yaml": ["NG212", "NG204", "NG205", "NG204"],
        "many_warnings.yaml": [
            "NG210",
            "NG209",
            "NG200",
            "NG203",
            "NG211",
            "NG207",
            "NG201",
            "NG202",
        ],
    }
    for name, codes in expectations.items():
        document = json.loads(validate("--format", "json", name).stdout)
        assert [d["code"] for d in document["diagnostics"]] == codes, name


def test_warnings_skip_only_their_operation(tmp_path: Path) -> None:
    """many_warnings.yaml is valid: the operations without problems are still generated."""
    result = CliRunner().invoke(
        main, ["build", "many_warnings.yaml", "-o", str(tmp_path / "out")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    rest = (tmp_path / "out" / "many_warnings" / "rest.py").read_text()
    mcp = (tmp_path / "out" / "many_warnings" / "mcp_server.py").read_text()
    assert '"/pets"' in rest and "list_pets" in rest
    for skipped in ("unknown", "no_source", "nothing"):
        assert f"def {skipped}" not in rest
    assert '"list-pets"' in mcp
    assert '"get-pet-with-a-name-so-long-that-no-mcp-client-will-acc_50834cd1"' in mcp
    for skipped in ("ambiguous", "get-pet-by-identifier"):
        assert f'"{skipped}"' not in mcp


def test_strict_promotes_warnings_to_errors() -> None:
    result = validate("--strict", "ng210_unused_variable.yaml")
    assert result.exit_code == 2
    assert "error[NG210]" in result.stderr and "warning[" not in result.stderr
    document = json.loads(validate("--strict", "--format", "json", "many_warnings.yaml").stdout)
    assert document["valid"] is False
    assert {d["severity"] for d in document["diagnostics"]} == {"error"}


def test_positions_point_at_the_problem() -> None:
    """Spot checks that line and column are those of the offending key or value."""
    cases = {
        "ng002_duplicate_key.yaml": (5, 3, "$.info.description"),
        "ng100_unknown_key.yaml": (
            16,
            15,
            "$.capability.consumes[0].resources[0].operations[0].descripton",
        ),
        "ng101_wrong_type.yaml": (19, 13, "$.capability.exposes[0].port"),
        "ng205_port_collision.yaml": (28, 13, "$.capability.exposes[1].port"),
        "ng212_bind_location_escape.yaml": (7, 15, "$.binds[0].location"),
    }
    for name, (line, column, path) in cases.items():
        (diagnostic,) = json.loads(validate("--format", "json", name).stdout)["diagnostics"]
        assert (diagnostic["line"], diagnostic["column"], diagnostic["path"]) == (
            line,
            column,
            path,
        ), name
    text = INVALID.joinpath("ng101_wrong_type.yaml").read_text().splitlines()
    assert text[18][12:].startswith('"8080"')


def test_unknown_key_suggests_the_closest() -> None:
    (diagnostic,) = json.loads(validate("--format", "json", "ng100_unknown_key.yaml").stdout)[
        "diagnostics"
    ]
    assert diagnostic["hint"] == "did you mean `description`?"


def test_several_files_in_one_run() -> None:
    result = validate("--format", "json", "ng002_duplicate_key.yaml", "ng210_unused_variable.yaml")
    document = json.loads(result.stdout)
    assert [(d["file"], d["code"]) for d in document["diagnostics"]] == [
        ("ng002_duplicate_key.yaml", "NG002"),
        ("ng210_unused_variable.yaml", "NG210"),
    ]
    assert document["valid"] is False and result.exit_code == 2


def test_missing_file(snapshot: SnapshotAssertion) -> None:
    result = validate("no-such-spec.yaml")
    assert result.exit_code == 2
    assert result.stderr == snapshot


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * loader.MAX_FILE_BYTES + b"\n")
    monkeypatch.chdir(tmp_path)
    result = validate("--format", "json", "big.yaml")
    (diagnostic,) = json.loads(result.stdout)["diagnostics"]
    assert diagnostic["code"] == "NG005" and result.exit_code == 2
    assert diagnostic["message"] == "file is 10,485,763 bytes; the limit is 10,485,760"


def test_nul_character_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A raw NUL in the file is a located syntax error, not a crash."""
    (tmp_path / "nul.yaml").write_bytes(b'naftiko: 1.0.0-alpha2\ninfo:\n  label: "a\x00b"\n')
    monkeypatch.chdir(tmp_path)
    result = validate("--format", "json", "nul.yaml")
    (diagnostic,) = json.loads(result.stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["line"], diagnostic["column"]) == ("NG001", 3, 12)


def test_recursive_alias(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "loop.yaml").write_text("naftiko: &a [1, *a]\n")
    monkeypatch.chdir(tmp_path)
    (diagnostic,) = json.loads(validate("--format", "json", "loop.yaml").stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["path"]) == ("NG004", "$.naftiko[1]")


def test_very_deep_document_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deeper than the YAML composer's recursion: still NG005, never a crash."""
    (tmp_path / "deep.yaml").write_text("naftiko: " + "[" * 5000 + "]" * 5000 + "\n")
    monkeypatch.chdir(tmp_path)
    result = validate("--format", "json", "deep.yaml")
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["NG005"]


@pytest.mark.parametrize(
    ("location", "accepted"),
    [
        ("file://./secrets.json", True),
        ("file://secrets.json", True),
        ("file://config/keys.yaml", True),
        ("file://config/../secrets.json", True),
        ("file://%2E/secrets.json", True),
        ("file://{dir}/secrets.json", True),
        ("file://localhost{dir}/secrets.json", True),
        ("FILE://./secrets.json", True),
        ("file://../secrets.json", False),
        ("file://config/../../secrets.json", False),
        ("file://%2E%2E/secrets.json", False),
        ("file://%2Fetc/passwd", False),
        ("file:///etc/passwd", False),
        ("file://localhost/etc/passwd", False),
        ("file://{dir}/../secrets.json", False),
        ("file://escape/secrets.json", False),
        ("file://", False),
        ("file:///", False),
        ("file://./secrets.json?x=1", False),
        ("file://./secrets.json#part", False),
        ("file://./a%00b", False),
        ("https://vault.example.com/secrets", False),
        ("vault://secrets/pets", False),
        ("ftp://example.com/secrets.json", False),
    ],
)
def test_location_rules(location: str, accepted: bool, tmp_path: Path) -> None:
    """``location`` must be a local file:// path that stays inside the spec's directory."""
    from naftiko_codegen.locations import location_problem

    spec_dir = tmp_path / "specs"
    spec_dir.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (spec_dir / "escape").symlink_to(outside)  # a symbolic link leading out is refused too
    problem = location_problem(location.format(dir=spec_dir), spec_dir.resolve())
    assert (problem is None) is accepted, problem


def test_location_rules_without_a_directory() -> None:
    """A spec read from memory: relative paths only, and no climbing out."""
    from naftiko_codegen.locations import location_problem

    assert location_problem("file://./secrets.json", None) is None
    assert location_problem("file://../secrets.json", None) is not None
    assert location_problem("file:///etc/passwd", None) is not None


def test_safe_bind_location_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bind file inside the spec's directory is accepted, and nothing reads it at build."""
    text = INVALID.joinpath("ng212_bind_location_escape.yaml").read_text()
    (tmp_path / "spec.yaml").write_text(
        text.replace("file://../../secrets.json", "file://./secrets.json")
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "spec.yaml", "-o", "out"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "secrets.json").exists()
