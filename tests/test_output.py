"""The owned output directory: manifest, foreign files, stale files, drift checks, atomicity."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from naftiko_codegen import output, tree_io
from naftiko_codegen.cli import main
from naftiko_codegen.output import MANIFEST
from naftiko_codegen.pipeline import compile_spec

from .conftest import CORPUS

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
MINIMAL = TESTS / "data" / "minimal.yaml"
LARGE_SPEC = CORPUS / "flyte" / "flyte-capability.yaml"
FALLBACK_LARGE_SPEC = REPO / "specs" / "flyte-admin-executions.yaml"
PACKAGE = "pet_store"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def build(out: Path, *extra: str | Path, spec: Path = MINIMAL) -> Result:
    return run("build", spec, "-o", out, *extra)


def state(root: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry below ``root``: kind, content digest or link target, inode, mtime, mode."""
    found: dict[str, tuple[Any, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            info = path.lstat()
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[relative] = ("link", os.readlink(path), info.st_ino)
            elif path.is_dir():
                found[relative] = ("dir", info.st_mode)
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[relative] = ("file", digest, info.st_ino, info.st_mtime_ns, info.st_mode)
    return found


def files_of(root: Path) -> set[str]:
    return {k for k, v in state(root).items() if v[0] != "dir"}


def staging_leftovers(out: Path) -> list[str]:
    prefix = f".{out.name}.naftiko-gen-"
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(prefix))


def verify_manifest(out: Path) -> dict[str, str]:
    """Every file the manifest lists exists with the recorded digest; returns the listing."""
    manifest = json.loads((out / MANIFEST).read_text())
    for relative, recorded in manifest["files"].items():
        assert (out / relative).is_file(), relative
        assert hashlib.sha256((out / relative).read_bytes()).hexdigest() == recorded, relative
    return dict(manifest["files"])


# --------------------------------------------------------------------------- ownership


def test_first_build_writes_manifest_with_digests(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(out)
    assert result.exit_code == 0, result.stderr
    listed = verify_manifest(out)
    assert set(listed) | {MANIFEST} == files_of(out)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["generator"] == "naftiko-gen"
    assert manifest["spec_sha256"] == hashlib.sha256(MINIMAL.read_bytes()).hexdigest()
    assert staging_leftovers(out) == []


def test_empty_directory_is_accepted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert build(out).exit_code == 0
    verify_manifest(out)


def test_refuses_foreign_directory_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    before, parent_before = state(out), state(tmp_path)
    result = build(out)
    assert result.exit_code == 2
    assert "is not empty and was not written by naftiko-gen" in result.stderr
    assert "--force" in result.stderr
    assert state(out) == before
    assert state(tmp_path) == parent_before  # no staging directory either


def test_force_writes_into_foreign_directory_keeping_its_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    (out / "keep").mkdir()
    before = state(out)
    result = build(out, "--force")
    assert result.exit_code == 0, result.stderr
    after = state(out)
    for relative in ("notes.txt", "keep"):
        assert after[relative] == before[relative]
    listed = verify_manifest(out)
    assert "notes.txt" not in listed
    # now owned: a second build needs no --force
    assert build(out).exit_code == 0


def test_force_overwrites_a_foreign_file_in_the_way(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("hand-written readme\n")
    assert build(out).exit_code == 2
    assert (out / "README.md").read_text() == "hand-written readme\n"
    assert build(out, "--force").exit_code == 0
    assert (out / "README.md").read_text() != "hand-written readme\n"
    verify_manifest(out)


def test_refuses_to_overwrite_a_foreign_file_even_with_a_manifest(tmp_path: Path) -> None:
    """A file naftiko-gen did not write is never replaced without --force."""
    out = tmp_path / "out"
    assert build(out, "--package-name", "first").exit_code == 0
    (out / "second").mkdir()
    (out / "second" / "rest.py").write_text("# mine\n")
    before = state(out)
    result = build(out, "--package-name", "second")
    assert result.exit_code == 2
    assert "second/rest.py" in result.stderr
    assert state(out) == before


def test_refuses_a_directory_where_a_file_goes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").mkdir()
    result = build(out, "--force")
    assert result.exit_code == 2
    assert "directories where generated files go (README.md)" in result.stderr


def test_invalid_manifest_is_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text("{not json")
    result = build(out)
    assert result.exit_code == 2
    assert "is not a naftiko-gen manifest" in result.stderr
    assert build(out, "--force").exit_code == 0
    verify_manifest(out)


def test_up_to_date_build_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    before = state(out)
    result = build(out)
    assert result.exit_code == 0 and "is up to date" in result.stderr
    assert state(out) == before


def test_rebuild_keeps_unchanged_files_and_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    (out / "notes.txt").write_text("mine\n")
    (out / PACKAGE / "__pycache__").mkdir()
    (out / PACKAGE / "__pycache__" / "rest.cpython-311.pyc").write_bytes(b"\x00cache")
    (out / "link-to-readme").symlink_to("README.md")
    (out / "empty-dir").mkdir()
    before = state(out)
    changed = tmp_path / "changed.yaml"
    changed.write_text(MINIMAL.read_text().replace("A small pet store capability.", "Changed."))
    result = build(out, spec=changed)
    assert result.exit_code == 0, result.stderr
    after = state(out)
    foreign = ["notes.txt", f"{PACKAGE}/__pycache__/rest.cpython-311.pyc", "link-to-readme"]
    for relative in foreign + ["empty-dir"]:
        assert after[relative] == before[relative], relative
    unchanged = [
        relative
        for relative in verify_manifest(out)
        if before.get(relative, ("",))[1:2] == after[relative][1:2]
    ]
    assert f"{PACKAGE}/exchange.py" in unchanged
    for relative in unchanged:  # not rewritten: same inode and mtime
        assert after[relative] == before[relative], relative
    assert after["README.md"] != before["README.md"]


def test_removes_stale_files_but_never_foreign_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out, "--package-name", "old_name").exit_code == 0
    old_files = [p for p in verify_manifest(out) if p.startswith("old_name/")]
    (out / "old_name" / "notes.txt").write_text("mine\n")
    (out / "top.txt").write_text("mine too\n")
    result = build(out, "--package-name", "new_name")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(f", removed {len(old_files)} stale (from Naftiko 1.0.0-alpha2)\n")
    assert sorted(p.name for p in (out / "old_name").iterdir()) == ["notes.txt"]
    assert (out / "top.txt").read_text() == "mine too\n"
    listed = verify_manifest(out)
    assert all(not p.startswith("old_name/") for p in listed)
    assert files_of(out) == set(listed) | {MANIFEST, "old_name/notes.txt", "top.txt"}
    # a package directory that held only stale files disappears
    assert build(out, "--package-name", "third").exit_code == 0
    assert not (out / "new_name").exists()


def test_symlinked_output_directory_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    assert build(link).exit_code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(MINIMAL.read_text().replace("A small pet store capability.", "Changed."))
    assert build(link, spec=changed).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    verify_manifest(real)
    assert "Changed." in (real / "README.md").read_text()


def test_fallback_without_atomic_swap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the directory swap is unavailable, the result is the same (minus atomicity)."""
    monkeypatch.setattr(tree_io, "exchange_function", lambda: None)
    out = tmp_path / "out"
    assert build(out, "--package-name", "old_name").exit_code == 0
    (out / "old_name" / "notes.txt").write_text("mine\n")
    assert build(out, "--package-name", "new_name").exit_code == 0
    listed = verify_manifest(out)
    assert files_of(out) == set(listed) | {MANIFEST, "old_name/notes.txt"}
    assert [p.name for p in out.parent.iterdir() if p.name != "out"] == []


def test_file_created_during_the_build_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that appears between assembling the new tree and the swap is put back."""
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    real_exchange = tree_io.exchange_function()
    assert real_exchange is not None

    def exchange(first: Path, second: Path) -> None:
        (second / "late.txt").write_text("written while naftiko-gen ran\n")
        real_exchange(first, second)

    monkeypatch.setattr(tree_io, "exchange_function", lambda: exchange)
    changed = tmp_path / "changed.yaml"
    changed.write_text(MINIMAL.read_text().replace("A small pet store capability.", "Changed."))
    assert build(out, spec=changed).exit_code == 0
    assert (out / "late.txt").read_text() == "written while naftiko-gen ran\n"
    assert staging_leftovers(out) == []


def test_leftovers_of_a_killed_build_are_swept(tmp_path: Path) -> None:
    """A staging directory of a dead process: its own files go, foreign files survive."""
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    (out / "notes.txt").write_text("mine\n")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    leftover = tmp_path / f".out.naftiko-gen-{dead.pid}-abc123"
    shutil.copytree(out, leftover, ignore=shutil.ignore_patterns("notes.txt"))
    os.link(out / "notes.txt", leftover / "notes.txt")
    (leftover / "orphan.txt").write_text("created by the user during the killed build\n")
    changed = tmp_path / "changed.yaml"
    changed.write_text(MINIMAL.read_text().replace("A small pet store capability.", "Changed."))
    assert build(out, spec=changed).exit_code == 0
    assert not leftover.exists()
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "orphan.txt").read_text() == "created by the user during the killed build\n"


def test_staging_of_a_live_process_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    busy = tmp_path / f".out.naftiko-gen-{os.getppid()}-xyz"
    busy.mkdir()
    (busy / "file").write_text("x")
    changed = tmp_path / "changed.yaml"
    changed.write_text(MINIMAL.read_text().replace("A small pet store capability.", "Changed."))
    assert build(out, spec=changed).exit_code == 0
    assert (busy / "file").read_text() == "x"


# --------------------------------------------------------------------------- drift checks


def test_check_clean_is_silent(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    result = build(out, "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    diff = build(out, "--diff")
    assert (diff.exit_code, diff.stdout, diff.stderr) == (0, "", "")


def test_check_clean_is_silent_even_with_warnings(tmp_path: Path) -> None:
    spec = TESTS / "invalid_specs" / "ng210_unused_variable.yaml"
    out = tmp_path / "out"
    assert build(out, spec=spec).exit_code == 0
    result = build(out, "--check", spec=spec)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_check_ignores_caches(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    (out / PACKAGE / "__pycache__").mkdir()
    (out / PACKAGE / "__pycache__" / "x.pyc").write_bytes(b"\x00")
    result = build(out, "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_check_reports_changed_missing_and_extra(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    rest = out / PACKAGE / "rest.py"
    rest.write_text(rest.read_text().replace('"/pets"', '"/cats"', 1))
    (out / PACKAGE / "config.py").unlink()
    (out / PACKAGE / "extra.py").write_text("print('hand-written')\n")
    before = state(out)
    result = build(out, "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"naftiko-gen: changed: {out / PACKAGE / 'rest.py'}",
        f"naftiko-gen: missing: {out / PACKAGE / 'config.py'}",
        f"naftiko-gen: extra: {out / PACKAGE / 'extra.py'}",
        f"naftiko-gen: {out} is out of date; run `naftiko-gen build {MINIMAL} -o {out}`",
    ]
    diff = result.stdout
    assert f"--- a/{PACKAGE}/rest.py\n+++ b/{PACKAGE}/rest.py\n" in diff
    assert '-    "/cats",' in diff or "-" in diff and '"/cats"' in diff
    assert f"--- /dev/null\n+++ b/{PACKAGE}/config.py\n" in diff
    assert f"--- a/{PACKAGE}/extra.py\n+++ /dev/null\n" in diff
    assert "-print('hand-written')\n" in diff
    assert diff.count("\n--- ") + diff.startswith("--- ") == 3
    assert state(out) == before  # --check writes nothing
    shown = build(out, "--diff")
    assert shown.exit_code == 0
    assert shown.stdout == diff
    assert state(out) == before
    assert build(out).exit_code == 0  # a build repairs changed and missing, keeps the extra
    assert (out / PACKAGE / "extra.py").exists()
    again = build(out, "--check")
    assert again.exit_code == 1
    assert again.stderr.splitlines()[0] == f"naftiko-gen: extra: {out / PACKAGE / 'extra.py'}"


def test_check_manifest_edit_is_drift(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    (out / MANIFEST).write_text((out / MANIFEST).read_text().replace("naftiko-gen", "x", 1))
    result = build(out, "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"naftiko-gen: changed: {out / MANIFEST}"


def test_check_of_missing_directory(tmp_path: Path) -> None:
    result = build(tmp_path / "nothing", "--check")
    assert result.exit_code == 1
    missing = [line for line in result.stderr.splitlines() if ": missing: " in line]
    assert len(missing) == len(compile_spec(MINIMAL).files) + 1
    assert not (tmp_path / "nothing").exists()


def test_check_file_without_final_newline(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(out).exit_code == 0
    readme = out / "README.md"
    readme.write_text(readme.read_text().rstrip("\n"))
    result = build(out, "--check")
    assert result.exit_code == 1
    assert "\\ No newline at end of file\n" in result.stdout


# --------------------------------------------------------------------------- atomicity

_KILL_AT = """
import os, signal, sys
from naftiko_codegen import batch, cli, output, tree_io

limit = int(sys.argv[1])
count = 0
swapped_at = 0
active = False


def hit():
    global count
    if active:
        count += 1
        if count == limit:
            os.kill(os.getpid(), signal.SIGKILL)


def wrap(module, name):
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        hit()
        return original(*args, **kwargs)

    setattr(module, name, wrapper)


for name in ("link", "rename", "replace", "unlink", "rmdir", "mkdir", "write", "fsync", "chmod"):
    wrap(os, name)
real_exchange_function = tree_io.exchange_function


def exchange_function():
    exchange = real_exchange_function()
    if exchange is None:
        return None

    def counted(first, second):
        global swapped_at
        hit()
        swapped_at = count
        exchange(first, second)
        hit()

    return counted


tree_io.exchange_function = exchange_function
real_write_tree = batch.write_tree


def write_tree(*args, **kwargs):
    global active
    active = True
    try:
        return real_write_tree(*args, **kwargs)
    finally:
        active = False
        print(f"operations: {count} swap: {swapped_at}", file=sys.stderr)


batch.write_tree = write_tree
sys.argv = ["naftiko-gen", "build", *sys.argv[2:]]
cli.main()
"""


def _large_spec() -> Path:
    return LARGE_SPEC if LARGE_SPEC.is_file() else FALLBACK_LARGE_SPEC


class _Scenario:
    """A directory holding a complete build of one spec, about to receive another."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = root / "work" / "out"
        self.pristine = root / "pristine"
        assert build(self.pristine).exit_code == 0
        (self.pristine / "notes.txt").write_text("hand-written\n")
        (self.pristine / PACKAGE / "local.py").write_text("# hand-written\n")
        (self.pristine / "empty").mkdir()
        self.old_state = state(self.pristine)
        self.old_manifest = (self.pristine / MANIFEST).read_text()
        result = compile_spec(_large_spec())
        expected = output.with_manifest(result.files, result.spec_digest)
        self.new_manifest = expected[MANIFEST]
        self.new_files = set(expected)
        self.foreign = {"notes.txt", f"{PACKAGE}/local.py"}

    def reset(self) -> None:
        if self.out.parent.exists():
            shutil.rmtree(self.out.parent)
        self.out.parent.mkdir(parents=True)
        shutil.copytree(self.pristine, self.out, symlinks=True)
        self.foreign_inodes = {p: (self.out / p).stat().st_ino for p in self.foreign}

    def verify(self) -> str:
        """The tree is the complete old one or the complete new one; says which."""
        out = self.out
        manifest = (out / MANIFEST).read_text()
        assert manifest in (self.old_manifest, self.new_manifest)
        listed = verify_manifest(out)
        for relative in self.foreign:
            assert (out / relative).stat().st_ino == self.foreign_inodes[relative], relative
        assert (out / "empty").is_dir()
        if manifest == self.old_manifest:
            now = state(out)
            assert {k: v for k, v in now.items() if v[0] != "file"} == {
                k: v for k, v in self.old_state.items() if v[0] != "file"
            }
            assert {k: v[1] for k, v in now.items()} == {k: v[1] for k, v in self.old_state.items()}
            return "old"
        assert files_of(out) == set(listed) | {MANIFEST} | self.foreign
        assert set(listed) | {MANIFEST} == self.new_files
        return "new"


def _spawn(arguments: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(arguments, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.timeout(240)
def test_sigkill_at_every_kind_of_point_leaves_a_complete_tree(tmp_path: Path) -> None:
    """Kill the build (SIGKILL) at random file-system operations of the write phase, and at
    random times from outside: the output is always the complete previous tree or the
    complete new one, as its manifest says; a later build completes and sweeps leftovers."""
    scenario = _Scenario(tmp_path)
    spec = str(_large_spec())
    build_args = [spec, "-o", str(scenario.out)]
    rng = random.Random(20260519)

    # Calibrate: count the operations of an uninterrupted write phase, and time a build.
    scenario.reset()
    started = time.monotonic()
    calibration = _spawn([sys.executable, "-c", _KILL_AT, "0", *build_args])
    _, stderr = calibration.communicate(timeout=120)
    duration = time.monotonic() - started
    assert calibration.returncode == 0, stderr.decode()
    counts = stderr.decode().rsplit("operations: ", 1)[1].split()
    operations, swap = int(counts[0]), int(counts[2])
    assert operations > 20 and 0 < swap < operations
    assert scenario.verify() == "new"

    # The operation just before the swap, the swap itself (killed before and after it), the
    # one after, and random others.
    outcomes = []
    chosen = {swap, swap + 1, swap + 2}
    others = [p for p in range(1, operations + 1) if p not in chosen]
    points = sorted(chosen | set(rng.sample(others, k=min(6, len(others)))))
    for point in points:
        scenario.reset()
        process = _spawn([sys.executable, "-c", _KILL_AT, str(point), *build_args])
        process.communicate(timeout=120)
        assert process.returncode == -signal.SIGKILL, point
        outcome = scenario.verify()
        # killed before the swap: the previous tree; once it is done: the new tree
        assert outcome == ("old" if point <= swap else "new"), point
        outcomes.append(outcome)
    assert "old" in outcomes and "new" in outcomes, outcomes

    script = Path(sys.executable).with_name("naftiko-gen")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "naftiko_codegen"]
    for _ in range(3):
        scenario.reset()
        process = _spawn([*command, "build", *build_args])
        deadline = time.monotonic() + rng.uniform(0.3, 1.1) * duration
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        process.kill()
        process.communicate(timeout=60)
        scenario.verify()

    # Leftover staging directories (if any) are swept by the next complete build.
    result = run("build", spec, "-o", scenario.out)
    assert result.exit_code == 0, result.stderr
    assert scenario.verify() == "new"
    assert staging_leftovers(scenario.out) == []
