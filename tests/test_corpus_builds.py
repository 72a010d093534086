"""Every capability of the shared corpus compiles; the generated code type-checks and imports.

The official examples (naftiko-framework) all build except the two negative ones, which fail
with located errors; every generated package passes ``mypy --strict`` (one run over all of
them, each built under a distinct package name) and imports without side effects. Every
module the templates render is already in black's layout (black leaves it unchanged, so a
cold build formats in one pass instead of two).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from naftiko_codegen.diagnostics import CompilationFailed
from naftiko_codegen.output import write_tree
from naftiko_codegen.pipeline import compile_spec

from .conftest import CORPUS, compile_in_black_layout

NEGATIVE = {"baseuri-trailing-slash-capability.yaml", "aggregate-invalid-ref.yaml"}


def capability_files(folder: str) -> list[Path]:
    """Capability documents (YAML with a top-level ``naftiko`` key) below ``folder``."""
    root = CORPUS / folder
    if not root.is_dir():
        return []
    files = sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")])
    return [f for f in files if f.read_text("utf-8").lstrip("-\n# ").find("naftiko:") != -1]


OFFICIAL = capability_files("naftiko-framework")
OTHERS = capability_files("flyte") + capability_files("other-apis")


def _id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not available at {CORPUS}")


@pytest.mark.parametrize("spec", [p for p in OFFICIAL if p.name in NEGATIVE], ids=_id)
def test_negative_official_examples_fail_with_located_errors(spec: Path) -> None:
    with pytest.raises(CompilationFailed) as failure:
        compile_spec(spec)
    errors = [d for d in failure.value.diagnostics if d.severity.value == "error"]
    assert errors
    for diagnostic in errors:
        assert diagnostic.line > 1 and diagnostic.column >= 1
        assert diagnostic.json_path.startswith("$.capability")


@pytest.mark.parametrize("spec", OTHERS, ids=_id)
def test_dialect_corpus_compiles(spec: Path) -> None:
    for path, text in compile_in_black_layout(spec).files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")


@pytest.fixture(scope="module")
def official_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every positive official example, built as package ``official_<n>`` under one root."""
    root = tmp_path_factory.mktemp("official")
    for index, spec in enumerate(p for p in OFFICIAL if p.name not in NEGATIVE):
        result = compile_in_black_layout(spec, package_name=f"official_{index}")
        write_tree(root / f"out_{index}", result.files, result.spec_digest)
        (root / f"official_{index}").symlink_to(root / f"out_{index}" / f"official_{index}")
    return root


def test_every_official_example_builds(official_packages: Path) -> None:
    built = sorted(official_packages.glob("official_*"))
    assert len(built) == len([p for p in OFFICIAL if p.name not in NEGATIVE]) > 0


def test_official_packages_pass_mypy_strict(official_packages: Path) -> None:
    packages = sorted(p.name for p in official_packages.glob("official_*"))
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    for package in packages:
        command += ["-p", package]
    result = subprocess.run(
        command, cwd=official_packages, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-5000:]


def test_official_packages_import(official_packages: Path) -> None:
    packages = sorted(p.name for p in official_packages.glob("official_*"))
    code = (
        "import importlib, pkgutil, sys\n"
        "for name in sys.argv[1:]:\n"
        "    package = importlib.import_module(name)\n"
        "    for module in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(name + '.' + module.name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-B", "-c", code, *packages],
        cwd=official_packages,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert result.stdout == ""
