"""The formatting cache returns exactly what black returns, and never gets in the way."""

from __future__ import annotations

import difflib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import black
import pytest

from naftiko_codegen import formatting
from naftiko_codegen.formatting import black_mode, cache_dir, format_python

from .conftest import CORPUS

SOURCE = "def f( a,b ):\n  return {'x':a,'y':b}\n"


def test_cache_hit_equals_black(tmp_path: Path) -> None:
    expected = black.format_str(SOURCE, mode=black_mode())
    assert format_python(SOURCE, tmp_path) == expected
    assert len(list(tmp_path.rglob("*"))) == 2  # one folder, one entry
    assert format_python(SOURCE, tmp_path) == expected


def test_unusable_cache_is_ignored(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    assert format_python(SOURCE, blocked) == black.format_str(SOURCE, mode=black_mode())


def test_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    assert cache_dir() is None
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    monkeypatch.delenv("NAFTIKO_GEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "naftiko-gen"


# --- the templates render black's own layout (black then needs one pass, not two) ---

REPO = Path(__file__).resolve().parent.parent
STABLE_SPECS = [
    REPO / "specs" / "flyte-admin-executions.yaml",
    *sorted((REPO / "tests" / "data").glob("*.yaml")),
    *sorted((REPO / "tests" / "data").glob("*/*-capability.yaml")),
    CORPUS / "flyte" / "flyte-capability.yaml",
]
"""The repository's own specs (the corpus is checked the same way in test_corpus_builds)."""


@pytest.mark.parametrize("spec", STABLE_SPECS, ids=lambda path: path.name)
def test_rendered_modules_are_already_black_formatted(spec: Path) -> None:
    """A template change that breaks black's layout doubles the cold build time; this
    names the file and shows black's diff instead."""
    if not spec.exists():
        pytest.skip(f"{spec} is not in this checkout")
    from naftiko_codegen.diagnostics import CompilationFailed
    from naftiko_codegen.pipeline import analyse
    from naftiko_codegen.render import render_package

    try:
        capability, _, digest = analyse(spec)
    except CompilationFailed:
        pytest.skip("needs the files its test copies beside it")
    for path, text in render_package(capability, digest).items():
        if path.endswith(".py"):
            formatted = black.format_str(text, mode=black_mode())
            diff = "".join(
                difflib.unified_diff(text.splitlines(True), formatted.splitlines(True), n=1)
            )
            assert not diff, f"{path} is not in black's layout:\n{diff}"


# --- formatting on two CPUs gives exactly what one gives ---

MODULES = {
    f"pkg/m{i}.py": f"def f{i}( a,b ):\n  return {{'x':a,'y':[b]*{i}}}\n" * (40 + 30 * i)
    for i in range(5)
}


def test_parallel_formatting_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    forks = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(formatting.threading, "active_count", lambda: 1)
    monkeypatch.setattr(formatting.os, "fork", counting_fork)
    files = {**MODULES, "README.md": "not python\n"}
    assert sum(map(len, MODULES.values())) >= formatting.PARALLEL_THRESHOLD
    result = formatting.format_files(files)
    assert forks == [1]
    assert list(result) == list(files)
    assert result["README.md"] == "not python\n"
    for path, text in MODULES.items():
        assert result[path] == black.format_str(text, mode=black_mode())


def test_parallel_formatting_reports_black_errors_like_serial(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A module black rejects fails the child; the parent redoes that half and raises
    black's own error, as the serial route would."""
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    monkeypatch.setattr(formatting.threading, "active_count", lambda: 1)
    broken = {**MODULES, "pkg/zz_broken.py": "def (:\n" + "x = 1\n" * 4000}
    with pytest.raises(black.InvalidInput):
        formatting.format_files(broken)


def test_small_or_threaded_work_is_formatted_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")

    def no_fork() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(formatting.os, "fork", no_fork)
    small = {"a.py": SOURCE, "b.py": SOURCE}
    assert formatting.format_files(small)["a.py"] == black.format_str(SOURCE, mode=black_mode())
    monkeypatch.setattr(formatting.threading, "active_count", lambda: 2)
    assert formatting.format_files(MODULES)["pkg/m0.py"] == black.format_str(
        MODULES["pkg/m0.py"], mode=black_mode()
    )


# --- the command line's background formatter ---


def started(monkeypatch: pytest.MonkeyPatch) -> formatting.BackgroundFormatter:
    """A background formatter forked from this (single-threaded, as far as it can tell) process."""
    monkeypatch.setattr(formatting.threading, "active_count", lambda: 1)
    formatter = formatting.BackgroundFormatter.start()
    assert formatter is not None and formatter.pid is not None
    return formatter


def reaped(pid: int) -> bool:
    """Whether ``pid`` is no longer a child of this process (exited and waited for)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_no_background_formatter_on_one_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pinned to one CPU (``taskset``, a container's cpuset), a second process only competes."""
    monkeypatch.setattr(formatting.threading, "active_count", lambda: 1)
    monkeypatch.setattr(formatting, "_usable_cpus", lambda: 1)
    assert formatting.BackgroundFormatter.start() is None


def test_the_usable_cpus_follow_the_affinity_mask() -> None:
    if not hasattr(os, "sched_getaffinity") or shutil.which("taskset") is None:
        pytest.skip("no affinity masks, or no taskset, on this system")
    script = "from naftiko_codegen import formatting; print(formatting._usable_cpus())"
    done = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


def test_background_formatter_formats_like_black(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    formatter = started(monkeypatch)
    pid = formatter.pid
    assert pid is not None
    files = {**MODULES, "README.md": "not python\n"}
    result = formatting.format_files(files, formatter)
    assert list(result) == list(files) and result["README.md"] == "not python\n"
    for path, text in MODULES.items():
        assert result[path] == black.format_str(text, mode=black_mode())
    assert formatter.pid is None and reaped(pid)


def test_a_dead_background_formatter_costs_only_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    formatter = started(monkeypatch)
    assert formatter.pid is not None
    os.kill(formatter.pid, signal.SIGKILL)
    result = formatting.format_files(MODULES, formatter)
    for path, text in MODULES.items():
        assert result[path] == black.format_str(text, mode=black_mode())


def test_a_background_formatter_without_work_is_stopped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Everything found in the cache: the formatter is stopped and waited for, not left behind."""
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", str(tmp_path))
    expected = formatting.format_files(MODULES)
    formatter = started(monkeypatch)
    pid = formatter.pid
    assert pid is not None
    assert formatting.format_files(MODULES, formatter) == expected
    assert formatter.pid is None and reaped(pid)


def test_background_formatter_reports_black_errors_like_serial(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    formatter = started(monkeypatch)
    broken = {**MODULES, "pkg/zz_broken.py": "def (:\n" + "x = 1\n" * 4000}
    with pytest.raises(black.InvalidInput):
        formatting.format_files(broken, formatter)


# --- modules cut into chunks format exactly as whole modules ---

CHUNKED_SPECS = [
    *STABLE_SPECS,
    *sorted((CORPUS / "naftiko-framework").glob("*.yaml")),
    *sorted((CORPUS / "naftiko-framework").glob("*/*-capability.yaml")),
    *sorted((CORPUS / "other-apis").glob("*/*.yaml"))[:6],
]


@pytest.mark.parametrize("spec", CHUNKED_SPECS, ids=lambda path: path.name)
def test_chunked_formatting_equals_whole_module_formatting(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not spec.exists():
        pytest.skip(f"{spec} is not in this checkout")
    from naftiko_codegen.diagnostics import CompilationFailed
    from naftiko_codegen.pipeline import analyse
    from naftiko_codegen.render import render_parts

    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    monkeypatch.setattr(formatting, "CHUNK_LINES", 20)  # many cuts, even in small modules
    try:
        capability, _, digest = analyse(spec)
    except CompilationFailed:
        pytest.skip("an intended negative example")
    files, _ = render_parts(capability, digest)  # the copied runtime modules are not formatted
    chunked = formatting.format_files(files)
    for path, text in files.items():
        if path.endswith(".py"):
            definitions = sum(
                line.startswith(("def ", "async def ", "class ")) for line in text.splitlines()
            )
            cuttable = len(text.splitlines()) >= 40 and definitions > 1
            assert len(formatting.split_module(text)) > 1 or not cuttable
            assert chunked[path] == black.format_str(text, mode=black_mode()), path


def test_a_cut_inside_a_string_falls_back_to_whole_modules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    monkeypatch.setattr(formatting, "CHUNK_LINES", 1)
    text = 'x = 1\nTEXT = """a\nb\n\n\ndef not_code( ):\n"""\n\n\ndef f( ):\n  return TEXT\n'
    assert len(formatting.split_module(text)) == 3
    assert formatting.format_files({"m.py": text})["m.py"] == black.format_str(
        text, mode=black_mode()
    )
