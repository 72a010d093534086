"""``naftiko-gen diff``: cases as data files, git revisions, invalid input, the JSON schema.

Each folder of ``tests/data/diff_cases/`` holds ``old.yaml`` and ``new.yaml`` (two versions
of one capability) and ``expected.json`` (what ``diff old.yaml new.yaml --format json``
prints, run in that folder). A folder with ``old.json``/``new.json`` instead holds two
surfaces, for changes the accepted dialect cannot express yet (enums).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from naftiko_codegen.apidiff import compare
from naftiko_codegen.cli import main
from naftiko_codegen.surface import (
    Adapter,
    Param,
    Prompt,
    Resource,
    Route,
    Setting,
    Surface,
    Tool,
)

TESTS = Path(__file__).resolve().parent
CASES = TESTS / "data" / "diff_cases"
SCHEMA = json.loads((TESTS.parent / "docs" / "diff.schema.json").read_text())
BASE = CASES / "identical" / "old.yaml"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def surface_from_json(data: dict[str, Any]) -> Surface:
    """A surface written by ``dataclasses.asdict``, read back."""
    routes = tuple(
        Route(**{**r, "params": tuple(Param(**p) for p in r["params"])}) for r in data["routes"]
    )
    return Surface(
        package=data["package"],
        where=data["where"],
        adapters=tuple(Adapter(**a) for a in data["adapters"]),
        routes=routes,
        tools=tuple(Tool(**t) for t in data["tools"]),
        resources=tuple(
            Resource(**{**r, "parameters": tuple(r["parameters"])}) for r in data["resources"]
        ),
        prompts=tuple(Prompt(**p) for p in data["prompts"]),
        settings=tuple(Setting(**s) for s in data["settings"]),
    )


def case_output(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], int]:
    """The JSON document and exit status ``diff`` gives for one case."""
    if (folder / "old.json").is_file():
        old, new = (
            surface_from_json(json.loads((folder / f"{side}.json").read_text()))
            for side in ("old", "new")
        )
        changes = compare(old, new)
        document = {
            "breaking": [c.to_json() for c in changes if c.breaking],
            "non_breaking": [c.to_json() for c in changes if not c.breaking],
        }
        return document, 1 if document["breaking"] else 0
    monkeypatch.chdir(folder)
    result = run("diff", "old.yaml", "new.yaml", "--format", "json")
    return json.loads(result.stdout), result.exit_code


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = CASES / case
    document, status = case_output(folder, monkeypatch)
    jsonschema.validate(document, SCHEMA)
    assert document == json.loads((folder / "expected.json").read_text())
    assert status == (1 if document["breaking"] else 0)


def test_the_cases_cover_every_kind_the_issue_names(monkeypatch: pytest.MonkeyPatch) -> None:
    kinds: dict[str, set[str]] = {"breaking": set(), "non_breaking": set()}
    for folder in CASES.iterdir():
        expected = json.loads((folder / "expected.json").read_text())
        for side in kinds:
            kinds[side].update(change["kind"] for change in expected[side])
    assert {
        "tool-removed",
        "tool-renamed",
        "route-removed",
        "route-renamed",
        "argument-added-required",
        "type-narrowed",
        "enum-value-removed",
        "read-only-removed",
        "setting-required",
    } <= kinds["breaking"]
    assert {"tool-added", "argument-added", "description-changed"} <= kinds["non_breaking"]
    assert not kinds["breaking"] & kinds["non_breaking"] - {"enum-value-added"}
    identical = json.loads((CASES / "identical" / "expected.json").read_text())
    assert identical == {"breaking": [], "non_breaking": []}


def test_text_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "port-changed")
    result = run("diff", "old.yaml", "new.yaml")
    assert result.exit_code == 1
    assert result.stdout == (
        "breaking changes (1):\n"
        "  new.yaml:77:7: port-changed: the default port of `pets-mcp` changed from 9090 to "
        "9191: clients of the default port no longer reach it\n"
        "non-breaking changes (1):\n"
        "  new.yaml:79:13: setting-default-changed: the default of `PET_STORE_MCP_PORT` "
        "changed from '9090' to '9191'\n"
    )
    assert result.stderr == "naftiko-gen: 1 breaking, 1 non-breaking change\n"
    monkeypatch.chdir(CASES / "identical")
    same = run("diff", "old.yaml", "new.yaml")
    assert (same.exit_code, same.stdout) == (0, "")
    assert same.stderr == "naftiko-gen: no change in the public surface\n"


def test_a_side_that_is_invalid_or_missing_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BASE.read_text().replace("port: 9090", 'port: "9090"'))
    result = run("diff", BASE, broken)
    assert result.exit_code == 2
    assert f"{broken}:78:13: error[NG101]" in result.stderr or "error[NG101]" in result.stderr
    assert result.stdout == ""
    missing = run("diff", BASE, tmp_path / "nope.yaml", "--format", "json")
    assert missing.exit_code == 2 and "error[NG006]" in missing.stderr and missing.stdout == ""
    bad = run("diff", "git:", BASE)
    assert bad.exit_code == 2 and "expected git:REV:PATH" in bad.stderr


# --------------------------------------------------------------------------- git


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A repository whose capability imports its consumed API from a shared file, with one
    commit; the working tree then changes the shared file only."""
    root = tmp_path / "repo"
    (root / "caps" / "shared").mkdir(parents=True)
    imports = TESTS / "data" / "imports"
    (root / "caps" / "main.yaml").write_text((imports / "main.yaml").read_text())
    shared = imports / "shared" / "upload-api.yaml"
    (root / "caps" / "shared" / "upload-api.yaml").write_text(shared.read_text())
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    return root


def test_git_revision_reads_imports_from_the_same_revision(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(history)
    same = run("diff", "git:HEAD:caps/main.yaml", "caps/main.yaml", "--format", "json")
    assert (same.exit_code, json.loads(same.stdout)) == (0, {"breaking": [], "non_breaking": []})
    shared = history / "caps" / "shared" / "upload-api.yaml"
    templated = 'baseUri: "https://{region}.documents.example.com"'
    shared.write_text(
        shared.read_text().replace('baseUri: "http://documents.example.com"', templated)
    )
    # Only the imported file changed: the old side must read it from HEAD to see a change.
    result = run("diff", "git:HEAD:caps/main.yaml", "caps/main.yaml", "--format", "json")
    assert result.exit_code == 1, result.stderr
    [change] = json.loads(result.stdout)["breaking"]
    assert change["kind"] == "setting-required"
    assert change["name"] == "setting IMPORTED_UPLOADS_DOCS_REGION"  # fills {region}


def test_git_revision_of_a_changed_spec(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = history / "caps" / "main.yaml"
    spec.write_text(spec.read_text().replace("port: 8182", "port: 8190"))
    monkeypatch.chdir(history / "caps")
    result = run("diff", "git:HEAD:./main.yaml", "main.yaml", "--format", "json")
    assert result.exit_code == 1, result.stderr
    [change] = json.loads(result.stdout)["breaking"]
    assert change["kind"] == "port-changed" and change["location"].startswith("main.yaml:")
    old_side = run("diff", "main.yaml", "git:HEAD:caps/main.yaml", "--format", "json")
    [change] = json.loads(old_side.stdout)["breaking"]
    assert change["location"].startswith("git:HEAD:caps/main.yaml:")
    missing = run("diff", "git:HEAD:caps/none.yaml", "main.yaml")
    assert missing.exit_code == 2 and "no such file at HEAD" in missing.stderr
    unknown = run("diff", "git:no-such-rev:caps/main.yaml", "main.yaml")
    assert unknown.exit_code == 2


def test_surface_round_trips_through_json() -> None:
    """The JSON cases are read back faithfully (what the enum case relies on)."""
    from naftiko_codegen import pipeline, surface
    from naftiko_codegen.loader import load_document

    capability, _, _ = pipeline.analyse(BASE)
    extracted = surface.extract(capability, load_document(BASE, display_name="old.yaml"))
    assert surface_from_json(json.loads(json.dumps(dataclasses.asdict(extracted)))) == extracted


def test_base_compares_every_configured_capability(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    (root / "caps").mkdir(parents=True)
    (root / "naftiko-gen.toml").write_text(
        '[[build]]\nspecs = "caps/*.yaml"\noutput = "generated/{stem}"\n'
    )
    for name in ("a", "b"):
        (root / "caps" / f"{name}.yaml").write_text(BASE.read_text())
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    monkeypatch.chdir(root)
    clean = run("diff", "--base", "HEAD", "--format", "json")
    assert (clean.exit_code, json.loads(clean.stdout)) == (0, {"breaking": [], "non_breaking": []})
    removed = CASES / "tool-removed" / "new.yaml"
    (root / "caps" / "a.yaml").write_text(removed.read_text())
    (root / "caps" / "b.yaml").unlink()
    (root / "caps" / "c.yaml").write_text(BASE.read_text())
    result = run("diff", "--base", "HEAD", "--format", "json")
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    assert [(c["kind"], c["location"]) for c in document["breaking"]] == [
        ("tool-removed", "git:HEAD:caps/a.yaml:111:11"),
        ("capability-removed", "git:HEAD:caps/b.yaml:1:1"),
    ]
    assert [(c["kind"], c["location"]) for c in document["non_breaking"]] == [
        ("capability-added", "caps/c.yaml:3:3"),  # its info
    ]
    (root / "caps" / "c.yaml").write_text("naftiko: [\n")
    invalid = run("diff", "--base", "HEAD")
    assert invalid.exit_code == 2 and "caps/c.yaml:2:1: error[NG001]" in invalid.stderr
    assert run("diff", "--base", "HEAD", "caps/a.yaml").exit_code == 2
    assert run("diff", "caps/a.yaml").exit_code == 2
    unknown = run("diff", "--base", "no-such-revision")
    assert unknown.exit_code == 2 and "no-such-revision is not a revision" in unknown.stderr
