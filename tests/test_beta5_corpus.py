"""The official Ikanos 1.0.0-beta5 test documents (``tests/data/corpus/ikanos``).

* every document the official engine treats as valid builds, the generated Python parses,
  and every exposed REST operation and MCP tool is generated or skipped with a warning;
* the deliberate negative documents (``ikanos-expected.yaml``, with the official test that
  says so) are refused with a located error of the expected code;
* the beta5 documents that are translations of the official alpha2 examples
  (``naftiko-framework/``) generate the same package as those, except where the two differ;
* a package of every folder passes black, ruff, ``mypy --strict`` and imports.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from naftiko_codegen.diagnostics import CompilationFailed, Severity
from naftiko_codegen.frontends import read
from naftiko_codegen.loader import Document, load_document
from naftiko_codegen.output import write_tree
from naftiko_codegen.pipeline import analyse, compile_spec
from naftiko_codegen.render import render_package

from .conftest import import_every_module
from .corpus_check import CORPUS, exposed_operations, generated_operations, skipping_warnings

IKANOS = CORPUS / "ikanos"
EXPECTED = {
    entry["file"]: entry["code"]
    for entry in yaml.safe_load((CORPUS / "ikanos-expected.yaml").read_text("utf-8"))
}
DOCUMENTS = sorted(
    path.relative_to(IKANOS).as_posix()
    for path in IKANOS.rglob("*")
    if path.suffix in (".yaml", ".yml") and not {"openapi", "schemas"} & set(path.parts)
)
POSITIVE = [name for name in DOCUMENTS if name not in EXPECTED]
ALPHA2_TWINS = {
    "engine/aggregates/aggregate-basic.yaml": "names the REST operation the alpha2 file leaves "
    "unnamed (`query-forecast`)",
}
"""beta5 documents whose alpha2 counterpart in ``naftiko-framework/`` says something else."""


def test_the_expectations_name_existing_documents() -> None:
    assert set(EXPECTED) <= set(DOCUMENTS)
    assert len(POSITIVE) >= 45


@pytest.mark.parametrize("name", POSITIVE)
def test_valid_documents_build_and_keep_their_operations(name: str) -> None:
    spec = IKANOS / name
    capability, diagnostics, digest = analyse(spec)
    assert capability.language == "Ikanos 1.0.0-beta5"
    for path, text in render_package(capability, digest).items():
        if path.endswith(".py"):
            ast.parse(text, path)
    normalised = read(load_document(spec)).document
    operations = [written_path(normalised, p) for p in exposed_operations(normalised.data)]
    skipped = skipping_warnings(operations, diagnostics)
    assert generated_operations(capability) + len(skipped) == len(operations)


def written_path(document: Document, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Where the author wrote the value at ``path`` of a normalised model."""
    origin = document.origin(path)
    while origin is not None:
        document, path, _ = origin
        origin = document.origin(path)
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_negative_documents_fail_with_located_errors(name: str) -> None:
    with pytest.raises(CompilationFailed) as failure:
        analyse(IKANOS / name)
    errors = [d for d in failure.value.diagnostics if d.severity is Severity.ERROR]
    assert EXPECTED[name] in {d.code for d in errors}
    for diagnostic in errors:
        assert diagnostic.file.endswith(name) and diagnostic.line >= 1
        assert diagnostic.json_path.startswith("$")


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in POSITIVE
        if n.startswith("engine/") and (CORPUS / "naftiko-framework" / n[7:]).exists()
    ],
)
def test_beta5_twins_of_alpha2_examples_generate_the_same_package(name: str) -> None:
    twin = CORPUS / "naftiko-framework" / name[len("engine/") :]
    beta5, _, _ = analyse(IKANOS / name)
    alpha2, _, _ = analyse(twin)
    same = render_package(beta5, "digest") == render_package(alpha2, "digest")
    assert same is (name not in ALPHA2_TWINS), ALPHA2_TWINS.get(name, "the packages differ")


FORMATS = "engine/formats"
"""The official samples of every answer format (``outputRawFormat``), all in the sample."""
NEEDS_SCHEMA = {"engine/formats/avro-capability.yaml", "engine/formats/proto-capability.yaml"}
"""Samples that shape avro or protobuf answers without naming their schema (``outputSchema``),
which the official engine then refuses on every call: skipped with NG102 at build time."""


def test_every_answer_format_sample_is_generated() -> None:
    samples = [name for name in POSITIVE if name.startswith(FORMATS + "/")]
    assert len(samples) == 7
    for name in samples:
        capability, diagnostics, _ = analyse(IKANOS / name)
        codes = [d.code for d in diagnostics]
        if name in NEEDS_SCHEMA:
            assert codes == ["NG102"] and generated_operations(capability) == 0, name
        else:
            assert codes == [] and generated_operations(capability) == 1, (name, codes)


def _folders() -> list[str]:
    """The first positive document of every folder of ``ikanos/``, and every format sample."""
    chosen: dict[str, str] = {}
    for name in POSITIVE:
        folder = name.rsplit("/", 1)[0]
        chosen.setdefault(name if folder == FORMATS else folder, name)
    return sorted(chosen.values())


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One built (formatted) package per folder, as packages ``beta5_<n>`` under one root."""
    root = tmp_path_factory.mktemp("beta5-sample")
    for index, name in enumerate(_folders()):
        result = compile_spec(IKANOS / name, package_name=f"beta5_{index}")
        write_tree(root / f"out_{index}", result.files, result.spec_digest)
        (root / f"beta5_{index}").symlink_to(root / f"out_{index}" / f"beta5_{index}")
    return root


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=1200)


def test_sample_passes_black_ruff_and_mypy_strict(sample: Path) -> None:
    packages = sorted(p.name for p in sample.glob("beta5_*"))
    assert len(packages) >= 10
    for out in sorted(sample.glob("out_*")):  # each with its own pyproject.toml settings
        for check in (
            [sys.executable, "-m", "black", "--check", "-q", "."],
            [sys.executable, "-m", "ruff", "check", "-q", "."],
        ):
            result = _run(check, out)
            assert result.returncode == 0, (out.name, check, result.stdout[-4000:], result.stderr)
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    result = _run(mypy + [arg for package in packages for arg in ("-p", package)], sample)
    assert result.returncode == 0, result.stdout[-4000:]


def test_sample_imports(sample: Path) -> None:
    packages = sorted(p.name for p in sample.glob("beta5_*"))
    result = import_every_module(sample, packages)
    assert result.returncode == 0, result.stderr[-5000:]
