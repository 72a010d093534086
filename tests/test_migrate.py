"""``naftiko-gen migrate``: alpha2 documents written as Ikanos 1.0.0-beta5 with the same meaning.

* every alpha2 file of the corpus that builds migrates; the result validates against the
  official beta5 schema unless the file uses a real-world form beta5 has no place for (then
  migrate said so, NG217), and builds the same files byte for byte; the exceptions are
  exactly those of ``tests/data/corpus/expected-differences.yaml`` (``tests/migrate_check.py``);
* comments, key order and quoting survive; names become keys; the command line writes to
  stdout, a file or a directory, imported files beside the spec, and never over a source.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from naftiko_codegen.cli import main
from naftiko_codegen.diagnostics import CompilationFailed, Severity
from naftiko_codegen.migrate import guess_indent, migrate
from naftiko_codegen.pipeline import analyse
from naftiko_codegen.render import render_package
from naftiko_codegen.schema_check import load_schema

from . import corpus_check, migrate_check
from .corpus_check import CORPUS


@pytest.fixture(scope="module")
def outcomes() -> list[migrate_check.Outcome]:
    found = migrate_check.run()
    corpus_check.SUMMARIES.append(migrate_check.summary(found))
    return found


@pytest.mark.timeout(1200)  # the whole corpus, migrated and built twice
def test_every_corpus_file_migrates_and_builds(outcomes: list[migrate_check.Outcome]) -> None:
    assert len(outcomes) > 500
    problems = [f"{o.spec}: {o.problem}" for o in outcomes if o.problem]
    assert not problems, "\n".join(problems)


@pytest.mark.timeout(1200)  # the whole corpus, migrated and built twice
def test_migrate_warns_exactly_when_the_official_schema_refuses(
    outcomes: list[migrate_check.Outcome],
) -> None:
    mismatched = [o.spec for o in outcomes if o.official == bool(o.warned)]
    assert not mismatched, mismatched


@pytest.mark.timeout(1200)  # the whole corpus, migrated and built twice
def test_differences_are_the_expected_ones(outcomes: list[migrate_check.Outcome]) -> None:
    actual = {
        o.spec: {k: v for k, v in o.entry().items() if k != "file"}
        for o in outcomes
        if o.warned or o.differing
    }
    expected = migrate_check.expected()
    assert actual == expected
    for spec, entry in expected.items():  # only the digests of imported files may differ
        for name in entry.get("files", []):
            assert str(name).endswith("/config.py"), (spec, name)


# --------------------------------------------------------------------------- the rewrite

ALPHA2 = """\
# The fleet, in alpha2.
naftiko: "1.0.0-alpha2"
info:
  label: 'Fleet'   # shown to people
  description: The fleet.
capability:
  consumes:
    - type: http
      namespace: registry
      baseUri: https://registry.example.com
      resources:
        - name: ships   # the ship list
          path: /ships
          operations:
            - name: list-ships
              method: GET
              inputParameters:
                - name: status
                  in: query
  aggregates:
    - label: Fleet
      namespace: fleet
      functions:
        - name: ships
          description: All ships.
          steps:
            - name: fetch
              type: call
              call: registry.list-ships
          mappings:
            - targetName: ships
              value: $.fetch
          outputParameters:
            - name: ships
              type: array
  exposes:
    - type: rest
      port: 9601
      namespace: fleet-rest
      resources:
        - path: /ships
          operations:
            - method: GET
              call: registry.list-ships
              outputParameters:
                - {type: object, mapping: "$."}
    - type: mcp
      port: 9602
      namespace: fleet-mcp
      tools:
        - ref: fleet.ships
        - name: hello
          label: Hello
          description: Says hello.
          outputParameters:
            - {name: message, type: string, value: hi}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(ALPHA2, "utf-8")
    return path


def migrated_text(path: Path) -> str:
    return migrate(path).files[0].text


def test_names_become_keys_and_alpha2_names_beta5_names(spec: Path) -> None:
    data = yaml.safe_load(migrated_text(spec))
    assert data["ikanos"] == "1.0.0-beta5" and "naftiko" not in data
    assert data["info"]["display"] == "Fleet"
    api = data["capability"]["consumes"][0]
    assert api["resources"]["ships"]["operations"]["list-ships"]["inputParameters"] == {
        "status": {"in": "query"}
    }
    aggregate = data["capability"]["aggregates"][0]
    assert aggregate["display"] == "Fleet" and "functions" not in aggregate
    flow = aggregate["flows"]["ships"]
    assert flow["steps"] == {"fetch": {"type": "call", "call": "registry.list-ships"}}
    assert flow["mappings"] == [{"target": "ships", "value": "$.fetch"}]
    assert flow["outputParameters"] == {"ships": {"type": "array"}}
    rest, mcp = data["capability"]["exposes"]
    assert list(rest["resources"]) == ["ships"]  # unnamed: keyed by its path
    assert list(rest["resources"]["ships"]["operations"]) == ["list-ships"]  # by its call
    assert list(mcp["tools"]) == ["ships", "hello"]  # a ref: by its function
    assert mcp["tools"]["hello"]["display"] == "Hello"
    assert mcp["tools"]["hello"]["outputParameters"] == {
        "message": {"type": "string", "value": "hi"}
    }


def test_comments_order_and_quoting_survive(spec: Path) -> None:
    text = migrated_text(spec)
    assert text.startswith('# The fleet, in alpha2.\nikanos: "1.0.0-beta5"\n')
    info = next(line for line in text.splitlines() if "display: 'Fleet'" in line)
    assert info.endswith("# shown to people")
    resource = next(line for line in text.splitlines() if line.strip().startswith("ships:"))
    assert resource.endswith("# the ship list")
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys == ["ikanos", "info", "capability"]


def test_the_migration_builds_the_same_package(spec: Path, tmp_path: Path) -> None:
    original, _, _ = analyse(spec)
    target = tmp_path / "beta5" / "fleet.yaml"
    target.parent.mkdir()
    target.write_text(migrated_text(spec), "utf-8")
    beta5, _, _ = analyse(target)
    assert beta5.language == "Ikanos 1.0.0-beta5"
    assert render_package(beta5, "d") == render_package(original, "d")


def test_what_beta5_cannot_express_is_reported_in_the_alpha2_file(spec: Path) -> None:
    migration = migrate(spec)
    official = jsonschema.Draft202012Validator(load_schema("beta5-official"))
    assert not official.is_valid(yaml.safe_load(migration.files[0].text))
    items, passthrough = migration.diagnostics
    for warning in (items, passthrough):
        assert (warning.code, warning.severity, warning.file) == (
            "NG217",
            Severity.WARNING,
            str(spec),
        )
    assert (items.line, items.json_path) == (
        34,
        "$.capability.aggregates[0].functions[0].outputParameters[0]",
    )
    assert "an array output without `items`" in items.message
    assert passthrough.line == 46
    assert (
        passthrough.json_path
        == "$.capability.exposes[0].resources[0].operations[0].outputParameters[0]"
    )
    assert "passes the upstream answer through" in passthrough.message
    assert "flows.ships.outputParameters.ships" in str(items.hint)


def test_an_official_example_migrates_into_the_official_language() -> None:
    migration = migrate(CORPUS / "naftiko-framework" / "mcp" / "mcp-capability.yaml")
    official = jsonschema.Draft202012Validator(load_schema("beta5-official"))
    assert official.is_valid(yaml.safe_load(migration.files[0].text))
    assert migration.diagnostics == ()


def test_repeated_names_are_keyed_apart_with_a_warning(tmp_path: Path) -> None:
    text = ALPHA2.replace(
        "- name: list-ships\n",
        "- name: list-ships\n              method: GET\n            - name: list-ships\n",
        1,
    )
    path = tmp_path / "twice.yaml"
    path.write_text(text, "utf-8")
    migration = migrate(path)
    operations = yaml.safe_load(migration.files[0].text)["capability"]["consumes"][0]["resources"][
        "ships"
    ]["operations"]
    assert list(operations) == ["list-ships", "list-ships-2"]
    renamed = [d for d in migration.diagnostics if d.code == "NG204"]
    assert renamed and renamed[0].line == 17 and "list-ships-2" in renamed[0].message


def test_beta5_and_invalid_documents_are_refused(tmp_path: Path) -> None:
    beta5 = tmp_path / "beta5.yaml"
    beta5.write_text("ikanos: 1.0.0-beta5\ncapability:\n  consumes: []\n", "utf-8")
    with pytest.raises(CompilationFailed) as already:
        migrate(beta5)
    assert already.value.diagnostics[0].code == "NG217"
    broken = tmp_path / "broken.yaml"
    broken.write_text(ALPHA2.replace("port: 9601", "port: nine"), "utf-8")
    with pytest.raises(CompilationFailed) as invalid:
        migrate(broken)
    assert invalid.value.diagnostics[0].code == "NG101"
    assert invalid.value.diagnostics[0].line == 38


def test_indentation_is_read_from_the_text() -> None:
    assert guess_indent("a:\n  b:\n  - c: 1\n") == (2, 2, 0)
    assert guess_indent("a:\n    b: 1\nc:\n    - d\n") == (4, 6, 4)
    assert guess_indent("a:\n  b:\n    - c: 1\n") == (2, 4, 2)


# --------------------------------------------------------------------------- the command line


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


IMPORTING = """\
naftiko: 1.0.0-alpha2
info: {label: Importer, description: Imports its API.}
capability:
  consumes:
    - location: file://./shared/api.yaml
      import: api
  exposes:
    - type: mcp
      port: 9603
      namespace: importer
      tools:
        - name: items
          description: Items.
          call: api.list-items
"""
IMPORTED = """\
naftiko: 1.0.0-alpha2
consumes:
  - type: http
    namespace: api
    baseUri: https://api.example.com
    resources:
      - name: items
        path: /items
        operations:
          - name: list-items
            method: GET
"""


@pytest.fixture
def importer(tmp_path: Path) -> Path:
    (tmp_path / "src" / "shared").mkdir(parents=True)
    (tmp_path / "src" / "shared" / "api.yaml").write_text(IMPORTED, "utf-8")
    path = tmp_path / "src" / "importer.yaml"
    path.write_text(IMPORTING, "utf-8")
    return path


def test_without_o_the_spec_goes_to_stdout(importer: Path) -> None:
    result = run("migrate", importer)
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout)["capability"]["consumes"] == [
        {"from": "./shared/api.yaml", "import": "api"}
    ]
    assert "not written: shared/api.yaml" in result.stderr
    assert result.stderr.splitlines()[-1].endswith(
        "migrated to Ikanos 1.0.0-beta5: 0 errors, 0 warnings"
    )


@pytest.mark.parametrize("target", ["out/importer.yaml", "out/"])
def test_with_o_imported_files_are_migrated_beside(importer: Path, target: str) -> None:
    out = importer.parent.parent / target
    result = run("migrate", importer, "-o", str(out) + ("/" if target.endswith("/") else ""))
    assert result.exit_code == 0, result.stderr
    folder = importer.parent.parent / "out"
    assert (folder / "importer.yaml").is_file()
    standalone = yaml.safe_load((folder / "shared" / "api.yaml").read_text("utf-8"))
    assert standalone["ikanos"] == "1.0.0-beta5" and "capability" not in standalone
    assert "wrote" in result.stderr and "imported as shared/api.yaml" in result.stderr
    built = run("build", folder / "importer.yaml", "-o", folder / "package")
    assert built.exit_code == 0, built.stderr


def test_a_source_is_never_overwritten(importer: Path) -> None:
    before = importer.read_text("utf-8")
    result = run("migrate", importer, "-o", importer)
    assert result.exit_code == 2
    assert "is an alpha2 source of this migration" in result.stderr
    assert importer.read_text("utf-8") == before


def test_an_invalid_spec_exits_2_with_located_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(IMPORTING).replace("port: 9603", "port: '9603'"), "utf-8")
    result = run("migrate", path)
    assert result.exit_code == 2 and result.stdout == ""
    assert "error[NG101]" in result.stderr
    assert result.stderr.splitlines()[-1].endswith(": 1 error, 0 warnings (Naftiko 1.0.0-alpha2)")
    assert json.dumps(result.stderr).count("error[") == 1
