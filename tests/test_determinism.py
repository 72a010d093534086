"""Determinism: the same spec always gives the same bytes.

* every corpus spec that compiles renders identically in two processes with different
  ``PYTHONHASHSEED`` values (two builds, and no dependence on set or dict hashing);
* a copy of each spec with the keys of every mapping shuffled (seeded) renders identically
  to the original; sequences keep their order (route matching depends on it);
* no absolute paths, user names or timestamps appear in any generated file;
* full builds (formatting and manifest included) written twice, in-process and in
  subprocesses with different hash seeds, are byte-identical trees.

The corpus-wide comparisons use the rendered files before ``black`` formats them: formatting
is a pure function of its input (pinned mode), so identical renders give identical files, and
skipping it keeps this module fast. The full-pipeline checks run on the specs in the repository.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from naftiko_codegen.cli import main
from naftiko_codegen.diagnostics import CompilationFailed
from naftiko_codegen.loader import load_text

from .conftest import SAMPLE_SPECS
from .corpus_check import ALPHA2_FOLDERS, CORPUS, capability_files

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
LOCAL_SPECS = [
    TESTS / "data" / "minimal.yaml",
    REPO / "specs" / "flyte-admin-executions.yaml",
    *SAMPLE_SPECS,
]

_WORKER = r"""
import hashlib, json, sys
from pathlib import Path
from naftiko_codegen.diagnostics import CompilationFailed
from naftiko_codegen.pipeline import analyse
from naftiko_codegen.render import render_package

results = {}
for spec in json.loads(sys.stdin.read()):
    try:
        capability, _, _ = analyse(Path(spec))
    except CompilationFailed as failure:
        codes = sorted({d.code for d in failure.diagnostics})
        results[spec] = {"status": "invalid", "codes": codes}
        continue
    except Exception as error:
        results[spec] = {"status": "crash", "error": f"{type(error).__name__}: {error}"}
        continue
    try:
        files = render_package(capability, "0" * 64)
    except Exception as error:
        results[spec] = {"status": "crash", "error": f"{type(error).__name__}: {error}"}
        continue
    results[spec] = {
        "status": "ok",
        "files": {name: hashlib.sha256(text.encode()).hexdigest() for name, text in files.items()},
        "texts": files if "--texts" in sys.argv else {},
    }
json.dump(results, sys.stdout)
"""


@pytest.fixture(autouse=True)
def _no_format_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full builds here run black every time: a formatting-cache hit would make "two builds
    are identical" true by construction."""
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")


def _corpus_specs() -> list[Path]:
    return capability_files(*ALPHA2_FOLDERS)


def _render_in_subprocess(
    specs: list[Path], seed: str, *, texts: bool = False
) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    process = subprocess.Popen(
        [sys.executable, "-c", _WORKER, *(["--texts"] if texts else [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps([str(s) for s in specs]))
    process.stdin.close()
    return process


def _collect(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None and process.stderr is not None
    stdout = process.stdout.read()
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 0, stderr
    results: dict[str, Any] = json.loads(stdout)
    return results


def shuffle_keys(value: Any, rng: random.Random) -> Any:
    """``value`` with the keys of every mapping in a random order (sequences untouched)."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: shuffle_keys(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [shuffle_keys(item, rng) for item in value]
    return value


def write_shuffled(spec: Path, target: Path, seed: int) -> bool:
    """Write a key-shuffled copy of ``spec`` to ``target``; False when the spec does not load."""
    try:
        data = load_text(spec.read_text("utf-8"), spec.name).data
    except (CompilationFailed, UnicodeDecodeError):
        return False
    shuffled = shuffle_keys(data, random.Random(f"{seed}:{spec.name}"))
    text = yaml.safe_dump(shuffled, sort_keys=False, allow_unicode=True, width=1000)
    assert load_text(text, target.name).data == data, "the copy holds the same data"
    assert list(load_text(text, target.name).data) == list(shuffled), "in the shuffled order"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    return True


def _imported_files(specs: list[Path]) -> set[Path]:
    """The specs that another spec imports (``consumes`` entries with a ``location``)."""
    imported = set()
    for spec in specs:
        try:
            data = load_text(spec.read_text("utf-8"), spec.name).data
        except (CompilationFailed, UnicodeDecodeError):
            continue
        for entry in (data.get("capability") or {}).get("consumes") or []:
            if isinstance(entry, dict) and isinstance(entry.get("location"), str):
                relative = entry["location"].removeprefix("file://").removeprefix("/")
                imported.add((spec.parent / relative).resolve())
    return imported


@pytest.fixture(scope="module")
def corpus_renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Renders of every spec (two hash seeds) and of its key-shuffled copy (a third seed)."""
    specs = _corpus_specs() + LOCAL_SPECS
    root = tmp_path_factory.mktemp("shuffled")
    # The corpus copied whole (imports and files beside the specs resolve in the copy), then
    # every spec overwritten by its shuffled copy, but for imported files (their digest is
    # part of their importer's output); those and the other specs get a folder each. The
    # file names stay the same: they appear in generated docs.
    shutil.copytree(CORPUS, root / "corpus")
    imported = _imported_files(specs)
    copies: dict[Path, Path] = {}
    for index, spec in enumerate(specs):
        if spec.is_relative_to(CORPUS) and spec not in imported:
            target = root / "corpus" / spec.relative_to(CORPUS)
        else:
            target = root / str(index) / spec.name
        if write_shuffled(spec, target, seed=20260519):
            copies[spec] = target
    first = _render_in_subprocess(specs, "0")
    second = _render_in_subprocess(specs, "4242")
    third = _render_in_subprocess(list(copies.values()), "77")
    return {
        "specs": specs,
        "copies": copies,
        "first": _collect(first),
        "second": _collect(second),
        "shuffled": _collect(third),
    }


def test_corpus_has_compilable_specs(corpus_renders: dict[str, Any]) -> None:
    ok = [s for s, r in corpus_renders["first"].items() if r["status"] == "ok"]
    assert len(ok) >= len(LOCAL_SPECS)
    assert len(ok) >= 0.9 * len(_corpus_specs()), "most of the corpus compiles"


def test_no_crash_on_the_corpus(corpus_renders: dict[str, Any]) -> None:
    crashes = {
        spec: result["error"]
        for run in ("first", "shuffled")
        for spec, result in corpus_renders[run].items()
        if result["status"] == "crash"
    }
    assert not crashes


def test_two_builds_with_different_hash_seeds_are_identical(
    corpus_renders: dict[str, Any],
) -> None:
    first, second = corpus_renders["first"], corpus_renders["second"]
    assert first.keys() == second.keys()
    differing = [spec for spec in first if first[spec] != second[spec]]
    assert not differing, f"output depends on PYTHONHASHSEED for {differing}"


def test_key_order_does_not_matter(corpus_renders: dict[str, Any]) -> None:
    first, shuffled = corpus_renders["first"], corpus_renders["shuffled"]
    differing = {}
    for spec, copy in corpus_renders["copies"].items():
        original, reordered = first[str(spec)], shuffled[str(copy)]
        if original.get("status") != reordered.get("status"):
            differing[str(spec)] = f"{original.get('status')} vs {reordered.get('status')}"
            continue
        if original["status"] == "invalid":
            assert original["codes"] == reordered["codes"], spec
            continue
        if original["status"] != "ok":
            continue  # reported by test_no_crash_on_the_corpus
        files = sorted(
            name
            for name in original["files"].keys() | reordered["files"].keys()
            if original["files"].get(name) != reordered["files"].get(name)
        )
        if files:
            differing[str(spec)] = ", ".join(files)
    assert not differing, f"reordering mapping keys changed the output: {differing}"
    assert len(corpus_renders["copies"]) >= len(LOCAL_SPECS)


def _forbidden_fragments() -> list[str]:
    fragments = {str(REPO), str(REPO.parent), str(Path.home()), tempfile.gettempdir() + "/"}
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    if len(user) >= 4:
        fragments.add(f"/{user}/")
    return sorted(f for f in fragments if f not in ("/", ""))


_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?|\b\d{2}:\d{2}:\d{2}\b")


def test_no_absolute_paths_or_timestamps(tmp_path: Path) -> None:
    """Every file of every local spec, fully built: no machine paths, no build time."""
    today = datetime.date.today().isoformat()
    for spec in LOCAL_SPECS:
        out = tmp_path / spec.stem
        result = CliRunner().invoke(main, ["build", str(spec), "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        source = spec.read_text("utf-8")
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            text = path.read_text("utf-8")
            for fragment in _forbidden_fragments() + [str(out), str(spec.parent)]:
                assert fragment not in text, (path, fragment)
            for match in _TIMESTAMP.finditer(text):
                assert match.group(0) in source, (path, match.group(0))
            if today not in source:
                assert today not in text, path


def test_manifest_carries_the_version_but_files_do_not(tmp_path: Path) -> None:
    from naftiko_codegen import __version__

    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(LOCAL_SPECS[0]), "-o", str(out)]).exit_code == 0
    manifest = json.loads((out / ".naftiko-gen.json").read_text())
    assert manifest["generator_version"] == __version__
    for path in out.rglob("*"):
        if path.is_file() and path.name not in (".naftiko-gen.json", "pyproject.toml"):
            assert f"naftiko-gen {__version__}" not in path.read_text(), path
            assert f"naftiko-gen v{__version__}" not in path.read_text(), path


def _tree_bytes(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def test_full_builds_are_byte_identical(tmp_path: Path) -> None:
    for spec in LOCAL_SPECS:
        trees = []
        for name in ("a", "b"):
            out = tmp_path / spec.stem / name
            assert CliRunner().invoke(main, ["build", str(spec), "-o", str(out)]).exit_code == 0
            trees.append(_tree_bytes(out))
        assert trees[0] == trees[1], spec


def test_full_builds_across_hash_seeds_are_byte_identical(tmp_path: Path) -> None:
    spec = REPO / "specs" / "flyte-admin-executions.yaml"
    processes = []
    for seed in ("1", "987654"):
        out = tmp_path / f"seed-{seed}"
        processes.append(
            (
                out,
                subprocess.Popen(
                    [sys.executable, "-m", "naftiko_codegen", "build", str(spec), "-o", str(out)],
                    env={**os.environ, "PYTHONHASHSEED": seed},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                ),
            )
        )
    trees = []
    for out, process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        trees.append(_tree_bytes(out))
    assert trees[0] == trees[1]
    manifest = json.loads(trees[0][".naftiko-gen.json"])
    assert manifest["spec_sha256"] == hashlib.sha256(spec.read_bytes()).hexdigest()


def test_shuffled_copy_full_build(tmp_path: Path) -> None:
    """The whole pipeline (formatting included) on a key-shuffled copy of the Flyte spec."""
    spec = REPO / "specs" / "flyte-admin-executions.yaml"
    copy = tmp_path / "copy" / spec.name
    assert write_shuffled(spec, copy, seed=7)
    trees = []
    for source, name in ((spec, "original"), (copy, "shuffled")):
        out = tmp_path / name
        assert CliRunner().invoke(main, ["build", str(source), "-o", str(out)]).exit_code == 0
        trees.append(_tree_bytes(out))
    original, shuffled = trees
    manifest = ".naftiko-gen.json"
    original_manifest = json.loads(original.pop(manifest))
    assert original_manifest["files"] == json.loads(shuffled.pop(manifest))["files"]
    assert original == shuffled
