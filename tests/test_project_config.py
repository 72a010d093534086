"""Project configuration: discovery, precedence, every key checked, problems located."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from naftiko_codegen.cli import main
from naftiko_codegen.project import ConfigError, find_project, load
from naftiko_codegen.tomlpos import key_positions

TESTS = Path(__file__).resolve().parent
MINIMAL = TESTS / "data" / "minimal.yaml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def repository(root: Path, config: str, name: str = "pyproject.toml") -> Path:
    """A folder with two capabilities and ``config`` as its configuration file."""
    for stem in ("pets", "shop"):
        shutil.copy(MINIMAL, root / f"{stem}.yaml")
    (root / "caps").mkdir(exist_ok=True)
    shutil.copy(MINIMAL, root / "caps" / "store.yaml")
    return write(root / name, config)


def problems(file: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        project = load(file)
        assert project is not None
        project.specs()
    return [problem.format_text() for problem in caught.value.problems]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# --------------------------------------------------------------------------- discovery


def test_nearest_pyproject_walking_up(tmp_path: Path) -> None:
    repository(tmp_path, '[[tool.naftiko-gen.build]]\nspecs = "*.yaml"\noutput = "gen/{stem}"\n')
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    project = find_project(inner)
    assert project is not None and project.file == tmp_path / "pyproject.toml"
    assert [spec.spec.name for spec in project.specs()] == ["pets.yaml", "shop.yaml"]
    assert project.specs()[0].static_output == tmp_path / "gen" / "pets"


def test_a_pyproject_without_the_table_does_not_stop_the_search(tmp_path: Path) -> None:
    repository(tmp_path, '[[tool.naftiko-gen.build]]\nspecs = "*.yaml"\noutput = "gen/{stem}"\n')
    inner = tmp_path / "sub"
    write(inner / "pyproject.toml", '[project]\nname = "naftiko-gen-user"\n')
    project = find_project(inner)
    assert project is not None and project.file == tmp_path / "pyproject.toml"


def test_no_configuration_anywhere(tmp_path: Path) -> None:
    assert find_project(tmp_path) is None


def test_naftiko_gen_toml_wins_over_pyproject_beside_it(tmp_path: Path) -> None:
    repository(tmp_path, '[[tool.naftiko-gen.build]]\nspecs = "*.yaml"\noutput = "a/{stem}"\n')
    write(tmp_path / "naftiko-gen.toml", '[[build]]\nspecs = "caps/*.yaml"\noutput = "b/{stem}"\n')
    project = find_project(tmp_path)
    assert project is not None and project.file.name == "naftiko-gen.toml"
    assert [spec.spec.name for spec in project.specs()] == ["store.yaml"]
    [warning] = project.warnings
    assert warning.warning and "pyproject.toml" in warning.file
    assert "naftiko-gen.toml beside it takes precedence" in warning.message


def test_naftiko_gen_toml_may_use_the_pyproject_form(tmp_path: Path) -> None:
    config = '[[tool.naftiko-gen.build]]\nspecs = "caps/*.yaml"\noutput = "b/{stem}"\n'
    file = repository(tmp_path, config, name="naftiko-gen.toml")
    project = load(file)
    assert project is not None and [s.spec.name for s in project.specs()] == ["store.yaml"]


def test_naftiko_gen_toml_with_both_forms_is_refused(tmp_path: Path) -> None:
    config = """
        [[build]]
        specs = "caps/*.yaml"
        output = "b/{stem}"

        [[tool.naftiko-gen.build]]
        specs = "caps/*.yaml"
        output = "c/{stem}"
    """
    file = repository(tmp_path, config, name="naftiko-gen.toml")
    [text] = problems(file)
    assert text.startswith("naftiko-gen.toml:1:1: error:") or "naftiko-gen.toml:1:" in text
    assert "both at its top level and under [tool.naftiko-gen]" in text


# --------------------------------------------------------------------------- problems


def test_unknown_key_is_located_with_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    file = repository(
        tmp_path,
        """
        [project]
        name = "x"

        [[tool.naftiko-gen.build]]
        specs = "*.yaml"
        output = "gen/{stem}"

        [[tool.naftiko-gen.build]]
        specs = "caps/*.yaml"
        outptu = "gen/{stem}"
        """,
    )
    assert problems(file) == [
        "pyproject.toml:10:1: error: unknown key `outptu`\n"
        "  at: tool.naftiko-gen.build[1].outptu\n"
        "  expected: one of `specs`, `exclude`, `output`, `package-name`, `openapi`, `strict`\n"
        "  hint: did you mean `output`?",
        "pyproject.toml:8:1: error: build entry 2 has no `output`\n"
        "  at: tool.naftiko-gen.build[1]",
    ]


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ('specs = 3\noutput = "g/{stem}"', 2, "`specs` must be a non-empty string or an array"),
        ('specs = []\noutput = "g/{stem}"', 2, "`specs` must be a non-empty string or an array"),
        ('specs = "*.yaml"\noutput = "g/{name}"', 3, "`output` uses the placeholder `{name}`"),
        ('specs = "*.yaml"\noutput = "g/{stem}"\npackage-name = "p_{path}"', 4, "`{path}`"),
        ('specs = "*.yaml"\noutput = "g/{stem!r}"', 3, "`output` uses the placeholder `{stem}`"),
        ('specs = "*.yaml"\noutput = "g/{stem"', 3, "expected '}' before end of string"),
        ('specs = "*.yaml"\noutput = ""', 3, "`output` must be a non-empty string"),
        ('specs = "*.yaml"\noutput = "/abs/{stem}"', 3, "`/abs/{stem}` is absolute"),
        ('specs = "/abs/*.yaml"\noutput = "g/{stem}"', 2, "`/abs/*.yaml` is absolute"),
        ('specs = "*.yaml"\noutput = "g/{stem}"\nstrict = "yes"', 4, "`strict` must be true or"),
        (
            'specs = "*.yaml"\noutput = "g/{stem}"\npackage-name = "{package}"',
            4,
            "`package-name` uses the placeholder `{package}`",
        ),
        (
            'specs = "*.yaml"\noutput = "g/{stem}"\npackage-name = "json"',
            4,
            "package-name gives 'json': 'json' would hide the module",
        ),
        (
            'specs = "*.yaml"\noutput = "g/{stem}"\nopenapi = "oa/{package}.yml"',
            4,
            "`openapi` uses the placeholder `{package}`",
        ),
        ('specs = "*.yaml"', 1, "build entry 1 has no `output`"),
    ],
)
def test_bad_values_are_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, line: int, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    file = repository(tmp_path, "[[tool.naftiko-gen.build]]\n" + entry + "\n")
    [text] = problems(file)
    assert text.startswith(f"pyproject.toml:{line}:1: error: "), text
    assert message in text


def test_invalid_toml_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    file = repository(tmp_path, '[[tool.naftiko-gen.build]]\nspecs = "*.yaml\n')
    [text] = problems(file)
    assert text.startswith("pyproject.toml:2:16: error: invalid TOML:"), text


def test_a_file_listed_by_two_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    file = repository(
        tmp_path,
        """
        [[tool.naftiko-gen.build]]
        specs = "*.yaml"
        output = "a/{stem}"

        [[tool.naftiko-gen.build]]
        specs = ["pets.yaml"]
        output = "b/{stem}"
        """,
    )
    [text] = problems(file)
    assert text.startswith("pyproject.toml:6:1: error: pets.yaml is listed by two build entries")


def test_a_table_that_is_not_a_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    file = repository(tmp_path, '[tool]\nnaftiko-gen = "yes"\n')
    [text] = problems(file)
    assert text.startswith("pyproject.toml:2:1: error: [tool.naftiko-gen] must be a table")
    file = repository(tmp_path, "[tool.naftiko-gen]\nbuild = 1\n")
    assert "`build` must be an array of tables" in problems(file)[0]
    file = repository(tmp_path, "[tool.naftiko-gen]\n")
    assert "the configuration lists no capabilities" in problems(file)[0]


# --------------------------------------------------------------------------- expansion


def test_templates_exclude_and_globs(tmp_path: Path) -> None:
    file = repository(
        tmp_path,
        """
        [[tool.naftiko-gen.build]]
        specs = ["*.yaml", "caps/**/*.yaml"]
        exclude = "shop.yaml"
        output = "gen/{package}-{stem}"
        package-name = "acme_{stem}"
        strict = true
        """,
    )
    write(tmp_path / "caps" / "deep" / "my-api.yaml", MINIMAL.read_text())
    project = load(file)
    assert project is not None
    specs = project.specs()
    assert [s.spec.relative_to(tmp_path).as_posix() for s in specs] == [
        "caps/deep/my-api.yaml",
        "caps/store.yaml",
        "pets.yaml",
    ]
    assert [s.package_name for s in specs] == ["acme_my_api", "acme_store", "acme_pets"]
    assert specs[0].static_output is None
    assert specs[0].output_for("acme_my_api") == tmp_path / "gen" / "acme_my_api-my-api"
    assert all(s.strict for s in specs)


def test_path_placeholder_mirrors_the_folders(tmp_path: Path) -> None:
    """``{path}``: the spec's path below the configuration's folder, without its suffix, so
    files of one name in different folders get different outputs."""
    file = repository(
        tmp_path, '[[tool.naftiko-gen.build]]\nspecs = "**/*.yaml"\noutput = "gen/{path}"\n'
    )
    write(tmp_path / "caps" / "deep" / "pets.yaml", MINIMAL.read_text())
    project = load(file)
    assert project is not None
    outputs = {s.spec.relative_to(tmp_path).as_posix(): s.static_output for s in project.specs()}
    assert outputs["pets.yaml"] == tmp_path / "gen" / "pets"
    assert outputs["caps/deep/pets.yaml"] == tmp_path / "gen" / "caps" / "deep" / "pets"


def test_a_glob_matching_nothing_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    file = repository(
        tmp_path,
        '[[tool.naftiko-gen.build]]\nspecs = ["*.yaml", "none/*.yml"]\noutput = "g/{stem}"\n',
    )
    project = load(file)
    assert project is not None
    [warning] = project.expansion_warnings()
    assert warning.format_text() == (
        "pyproject.toml:2:1: warning: `none/*.yml` matches no file\n"
        "  at: tool.naftiko-gen.build[0].specs[1]"
    )


# --------------------------------------------------------------------------- the command line


def test_configuration_problems_stop_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    repository(
        tmp_path, '[[tool.naftiko-gen.build]]\nspecs = "*.yaml"\noutput = "g/{stem}"\nstrict = 1\n'
    )
    result = run("build")
    assert result.exit_code == 2
    assert result.stderr.startswith("pyproject.toml:4:1: error: `strict` must be true or false")
    assert result.stderr.endswith("naftiko-gen: 1 configuration problem; nothing was done\n")
    assert not (tmp_path / "g").exists()
    # An explicit SPEC -o OUT still reads the configuration (its settings may apply).
    assert run("build", "pets.yaml", "-o", tmp_path / "out").exit_code == 2


PETS_OPENAPI = """{"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"}, "paths":
  {"/pets/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true,
   "schema": {"type": "integer", "minimum": 1}}], "responses": {"200": {"description": "ok"}}}}}}
"""


def test_openapi_files_type_the_configured_capabilities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    repository(
        tmp_path,
        '[[tool.naftiko-gen.build]]\nspecs = ["pets.yaml", "shop.yaml"]\noutput = "g/{stem}"\n'
        'openapi = ["pets=openapi/{stem}.json"]\n',
    )
    write(tmp_path / "openapi" / "pets.json", PETS_OPENAPI)
    result = run("build")
    assert result.exit_code == 2, result.stderr  # shop has no openapi/shop.json
    assert "openapi/shop.json:1:1: error[NG006]: cannot read file" in result.stderr
    assert (tmp_path / "g" / "pets" / "pet_store" / "input_checks.py").is_file()
    assert "NG215" in result.stderr  # list-pets and create-pet are not in the document
    write(tmp_path / "openapi" / "shop.json", PETS_OPENAPI)
    assert run("build", "--quiet").exit_code == 0
    (tmp_path / "openapi" / "shop.json").write_text(PETS_OPENAPI.replace("integer", "string"))
    changed = run("build", "--changed", "openapi/shop.json", "--check")
    assert changed.exit_code == 1 and "g/shop" in changed.stderr and "g/pets" not in changed.stderr
    # --openapi on the command line replaces the configured documents of the SPECs given
    plain = run("build", "pets.yaml", "--openapi", "openapi/shop.json", "--check")
    assert plain.exit_code == 1, plain.stderr
    refused = run("build", "--openapi", "openapi/pets.json")
    assert refused.exit_code == 2 and "--openapi applies to the SPECs given" in refused.stderr


def test_explicit_config_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    repository(
        tmp_path, '[[build]]\nspecs = "caps/*.yaml"\noutput = "x/{stem}"\n', name="other.toml"
    )
    assert run("build").exit_code == 2  # no configuration found from here upwards
    result = run("build", "--config", "other.toml")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "x" / "store" / ".naftiko-gen.json").is_file()
    missing = run("build", "--config", "nope.toml")
    assert missing.exit_code == 2 and "--config nope.toml: no such file" in missing.stderr
    write(tmp_path / "pyproject.toml", '[project]\nname = "p"\n')
    plain = run("build", "--config", "pyproject.toml")
    assert plain.exit_code == 2 and "has no [tool.naftiko-gen] table" in plain.stderr


# --------------------------------------------------------------------------- positions


def test_key_positions() -> None:
    text = textwrap.dedent('''
        # a comment = not a key
        title = """
        multi = not a key
        """
        [tool.naftiko-gen]
          [[tool.naftiko-gen.build]]
          specs = [
            "a = b",
          ]
          "output" = "x"
          [tool.naftiko-gen.build.extra]
          deep.key = 1
        [[tool.naftiko-gen.build]]
        strict = true
        ''').lstrip()
    positions = key_positions(text)
    assert positions[("title",)] == (2, 1)
    assert ("multi",) not in positions and ("a",) not in positions
    assert positions[("tool", "naftiko-gen")] == (5, 1)
    assert positions[("tool", "naftiko-gen", "build", 0)] == (6, 3)
    assert positions[("tool", "naftiko-gen", "build", 0, "specs")] == (7, 3)
    assert positions[("tool", "naftiko-gen", "build", 0, "output")] == (10, 3)
    assert positions[("tool", "naftiko-gen", "build", 0, "extra", "deep", "key")] == (12, 3)
    assert positions[("tool", "naftiko-gen", "build", 1, "strict")] == (14, 1)
