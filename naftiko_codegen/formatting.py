"""Format phase: black, in memory, with a pinned mode (the user's settings never apply).

black is by far the slowest phase. The templates render code black leaves unchanged (one
pass instead of two; ``tests/test_formatting.py`` keeps them so), misses are formatted on
two CPUs when there is enough work, and a regeneration usually formats the same text
again (pre-commit, drift checks), so results are kept in a content-addressed cache: the
key is the SHA-256 of black's version, the mode and the unformatted text, so a hit returns
exactly what black would. The cache lives in ``$NAFTIKO_GEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/naftiko-gen``, else ``~/.cache/naftiko-gen``;
``NAFTIKO_GEN_CACHE_DIR=off`` disables it. A cache that cannot be
read or written is ignored.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import black

MODE_SETTINGS: dict[str, Any] = {
    "target_versions": ("PY311",),
    "line_length": 88,
    "string_normalization": True,
    "magic_trailing_comma": True,
    "preview": False,
}
"""The one black configuration every generated Python file is formatted with (black is
imported only on a cache miss: it is a tenth of a second of start-up)."""


@functools.cache
def _black_version() -> str:
    """black's installed version, for the cache key, without importing black: the
    ``black-<version>.dist-info`` folder beside the package (``importlib.metadata`` costs a
    tenth of a cold build in imports), else ``importlib.metadata``. Looked up on first use:
    the wheel's build hook imports this module where black is not installed."""
    spec = importlib.util.find_spec("black")
    if spec is not None and spec.submodule_search_locations:
        site = Path(next(iter(spec.submodule_search_locations))).parent
        found = [p.name for p in site.glob("black-*.dist-info")]
        if len(found) == 1:
            return found[0].removeprefix("black-").removesuffix(".dist-info")
    from importlib.metadata import version

    return version("black")



@functools.cache
def black_mode() -> black.Mode:
    """:data:`MODE_SETTINGS` as a ``black.Mode``."""
    import black
    from black.mode import TargetVersion

    settings = dict(MODE_SETTINGS)
    settings["target_versions"] = {TargetVersion[v] for v in settings["target_versions"]}
    return black.Mode(**settings)


def cache_dir() -> Path | None:
    """Where formatted modules are cached (``None`` when caching is off)."""
    configured = os.environ.get("NAFTIKO_GEN_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "naftiko-gen"


def format_python(text: str, cache: Path | None) -> str:
    """``black.format_str(text)`` with :func:`black_mode`, answered from ``cache`` when possible."""
    cached = _cache_read(cache, text)
    if cached is not None:
        return cached
    formatted = _black(text)
    _cache_write(cache, text, formatted)
    return formatted


def format_files(
    files: dict[str, str], formatter: BackgroundFormatter | None = None
) -> dict[str, str]:
    """Format every ``.py`` file with :func:`black_mode`; other files pass through unchanged.

    Each module is cut into chunks at top-level definitions (:func:`split_module`); cached
    chunks are answered from the cache, the others formatted on two CPUs when that pays
    (:func:`_format_all`), by ``formatter`` when one was started (it is stopped here once
    it has answered or when there is nothing for it to do). Chunks keep black's cost
    linear in the size of a module, let both CPUs share the largest one, and let a
    regeneration reformat only what changed.
    """
    cache = cache_dir()
    chunked = {path: split_module(text) for path, text in files.items() if path.endswith(".py")}
    done: dict[str, str] = {}
    misses = sorted({chunk for chunks in chunked.values() for chunk in chunks})
    for chunk in misses:
        cached = _cache_read(cache, chunk)
        if cached is not None:
            done[chunk] = cached
    misses = [chunk for chunk in misses if chunk not in done]
    results = formatter.format(misses) if formatter is not None and misses else None
    if formatter is not None:
        formatter.close()
    try:
        if results is None:
            results = _format_all(misses)
    except Exception:
        # A cut that black cannot parse on its own: format whole modules, which raises
        # black's own error if the module itself is invalid.
        return {
            path: _black(text) if path.endswith(".py") else text for path, text in files.items()
        }
    for chunk, result in zip(misses, results, strict=True):
        _cache_write(cache, chunk, result)
        done[chunk] = result
    return {
        path: "\n\n".join(done[chunk] for chunk in chunked[path]) if path in chunked else text
        for path, text in files.items()
    }


CHUNK_LINES = 200
"""Lines after which a module is cut at the next top-level definition."""

_TOP_LEVEL = ("def ", "async def ", "class ", "@")


def split_module(text: str) -> list[str]:
    """``text`` cut before top-level definitions preceded by exactly two blank lines.

    black lays out each top-level definition on its own, so formatting the chunks and
    joining them with two blank lines gives what formatting the whole module gives
    (``tests/test_formatting.py`` checks this on real output). A cut inside a string
    leaves a chunk black cannot parse, and :func:`format_files` then formats whole modules.
    """
    lines = text.split("\n")
    chunks: list[str] = []
    start = 0
    for index in range(3, len(lines)):
        if (
            index - start >= CHUNK_LINES
            and lines[index].startswith(_TOP_LEVEL)
            and lines[index - 1] == lines[index - 2] == ""
            and lines[index - 3].strip()
            and not lines[index - 3].lstrip().startswith(("#", "@"))
        ):
            chunks.append("\n".join(lines[start : index - 2]) + "\n")
            start = index
    chunks.append("\n".join(lines[start:]))
    return chunks


def _cache_entry(cache: Path, text: str) -> Path:
    key = hashlib.sha256(f"{_black_version()}\n{MODE_SETTINGS!r}\n{text}".encode()).hexdigest()
    return cache / key[:2] / key


def _cache_read(cache: Path | None, text: str) -> str | None:
    if cache is None:
        return None
    try:
        return _cache_entry(cache, text).read_text("utf-8")
    except OSError:
        return None


def _cache_write(cache: Path | None, text: str, formatted: str) -> None:
    if cache is None:
        return
    entry = _cache_entry(cache, text)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(formatted)
        os.replace(temporary, entry)
    except OSError:
        pass


def _black(text: str) -> str:
    import black

    return black.format_str(text, mode=black_mode())


PARALLEL_THRESHOLD = 16_384
"""Characters of unformatted code below which a second process costs more than it saves."""


def _format_all(texts: list[str]) -> list[str]:
    """black over ``texts``, in order; on two CPUs when there is enough work.

    The texts are split in two halves of similar size; a forked child formats one while
    this process formats the other. Forking is used only from a single-threaded process
    (a fork copies no other thread, so a lock another thread held would never be
    released in the child) and only where ``os.fork`` exists; if the child fails in any
    way, its half is formatted here, so the result never depends on the route taken.
    """
    parallel = len(texts) > 1 and sum(map(len, texts)) >= PARALLEL_THRESHOLD and _can_fork()
    if not parallel:
        return [_black(text) for text in texts]
    _black("pass\n")  # every module black imports lazily is loaded before the fork
    mine, theirs = _halves(texts)
    collect = _start_child(theirs, texts)
    results = {index: _black(texts[index]) for index in mine}
    results.update(collect())
    return [results[index] for index in range(len(texts))]


def _halves(texts: list[str]) -> tuple[list[int], list[int]]:
    """Indices of ``texts`` in two groups of similar total size (largest first, greedy)."""
    groups: tuple[list[int], list[int]] = ([], [])
    sizes = [0, 0]
    for index in sorted(range(len(texts)), key=lambda i: -len(texts[i])):
        smaller = 0 if sizes[0] <= sizes[1] else 1
        groups[smaller].append(index)
        sizes[smaller] += len(texts[index])
    return groups


def _start_child(indices: list[int], texts: list[str]) -> Callable[[], dict[int, str]]:
    """Fork a child formatting ``texts[i]`` for ``indices``; return the function that
    collects its results (a child that crashes or answers badly costs only time: its
    texts are then formatted by the caller)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: format, send, leave without running any cleanup
        os.close(read_end)
        status = 0
        try:
            with os.fdopen(write_end, "w", encoding="utf-8") as stream:
                json.dump([_black(texts[index]) for index in indices], stream)
        except BaseException:
            status = 1
        os._exit(status)
    os.close(write_end)

    def collect() -> dict[int, str]:
        answers = _answers(read_end, pid, len(indices))
        if answers is None:
            answers = [_black(texts[index]) for index in indices]
        return dict(zip(indices, answers, strict=True))

    return collect


def _answers(read_end: int, pid: int, count: int) -> list[str] | None:
    """The ``count`` formatted texts a forked formatter sends on ``read_end`` (closed here)
    before exiting; ``None`` if it failed, exited badly or answered something else."""
    try:
        with os.fdopen(read_end, encoding="utf-8") as stream:
            payload = stream.read()
    except OSError:
        payload = ""
    _, status = os.waitpid(pid, 0)
    try:
        answers = json.loads(payload) if status == 0 else None
    except ValueError:
        return None
    if not isinstance(answers, list) or len(answers) != count:
        return None
    return answers


def _can_fork() -> bool:
    """Whether a forked process can share the work: ``os.fork`` exists, this process may
    run on a second CPU, and it runs one thread (a fork copies no other thread, so a lock
    another thread held would never be released in the child)."""
    return hasattr(os, "fork") and _usable_cpus() > 1 and threading.active_count() == 1


def _usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class BackgroundFormatter:
    """A formatting process forked when a command-line build starts, before the compiler's
    own imports.

    It imports and warms up black (about a tenth of a cold build) while this process
    loads, validates, lowers and renders, then formats the chunks the cache does not hold,
    on two CPUs as :func:`_format_all` does. A formatter that fails in any way costs only
    time: :meth:`format` returns ``None`` and the caller formats the chunks itself.
    """

    def __init__(self) -> None:
        work_in, self._work = os.pipe()
        self._answers, answers_out = os.pipe()
        self._pid: int | None = os.fork()
        if self._pid == 0:
            os.close(self._work)
            os.close(self._answers)
            _serve(work_in, answers_out)
        os.close(work_in)
        os.close(answers_out)

    @classmethod
    def start(cls) -> BackgroundFormatter | None:
        """A running formatter, or ``None`` where forking cannot help (see :func:`_can_fork`)."""
        return cls() if _can_fork() else None

    @property
    def pid(self) -> int | None:
        """The formatter's process id; ``None`` once it has answered or been stopped."""
        return self._pid

    def format(self, texts: list[str]) -> list[str] | None:
        """black's output for ``texts``, in order; ``None`` if the formatter failed."""
        if self._pid is None:
            return None
        pid, self._pid = self._pid, None
        try:
            with os.fdopen(self._work, "w", encoding="utf-8") as stream:
                json.dump(texts, stream)
        except OSError:  # the formatter is gone; its exit status says so below
            pass
        return _answers(self._answers, pid, len(texts))

    def close(self) -> None:
        """Stop the formatter if it is still running (a build that found everything in the
        cache, or failed, has no work for it)."""
        if self._pid is None:
            return
        for descriptor in (self._work, self._answers):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        self._pid = None


def _serve(work: int, answers: int) -> NoReturn:
    """The formatter process: import black, read the texts, answer, leave without cleanup."""
    status = 1
    with contextlib.suppress(BaseException):
        _black("pass\n")
        with os.fdopen(work, encoding="utf-8") as stream:
            texts = json.loads(stream.read() or "[]")
        with os.fdopen(answers, "w", encoding="utf-8") as stream:
            json.dump(_format_all(texts), stream)
        status = 0
    os._exit(status)
