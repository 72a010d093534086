"""Format phase: black, in memory, with a pinned mode (the user's settings never apply).

black is by far the slowest phase (two passes over every generated module), and a
regeneration usually formats the same text again (pre-commit, drift checks). Results are
therefore kept in a content-addressed cache: the key is the SHA-256 of black's version,
the mode and the unformatted text, so a hit returns exactly what black would. The cache
lives in ``$NAFTIKO_GEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/naftiko-gen``, else
``~/.cache/naftiko-gen``; ``NAFTIKO_GEN_CACHE_DIR=off`` disables it. A cache that cannot be
read or written is ignored.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.metadata
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

_BLACK_VERSION = importlib.metadata.version("black")


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
    if cache is None:
        return _black(text)
    key = hashlib.sha256(f"{_BLACK_VERSION}\n{MODE_SETTINGS!r}\n{text}".encode()).hexdigest()
    entry = cache / key[:2] / key
    try:
        return entry.read_text("utf-8")
    except OSError:
        pass
    formatted = _black(text)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(formatted)
        os.replace(temporary, entry)
    except OSError:
        pass
    return formatted


def _black(text: str) -> str:
    import black

    return black.format_str(text, mode=black_mode())


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Format every ``.py`` file with :func:`black_mode`; other files pass through unchanged."""
    cache = cache_dir()
    # black allocates many short-lived objects; the cyclic collector only slows it down
    # (measured 1.9x at 1,000 operations) and finds nothing to free.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return {
            path: format_python(text, cache) if path.endswith(".py") else text
            for path, text in files.items()
        }
    finally:
        if collecting:
            gc.enable()
