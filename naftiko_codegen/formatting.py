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

import hashlib
import importlib.metadata
import os
import tempfile
from pathlib import Path

import black
from black.mode import TargetVersion

MODE = black.Mode(
    target_versions={TargetVersion.PY311},
    line_length=88,
    string_normalization=True,
    magic_trailing_comma=True,
    preview=False,
)
"""The one black configuration every generated Python file is formatted with."""

_BLACK_VERSION = importlib.metadata.version("black")


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
    """``black.format_str(text)`` with :data:`MODE`, answered from ``cache`` when possible."""
    if cache is None:
        return black.format_str(text, mode=MODE)
    key = hashlib.sha256(f"{_BLACK_VERSION}\n{MODE!r}\n{text}".encode()).hexdigest()
    entry = cache / key[:2] / key
    try:
        return entry.read_text("utf-8")
    except OSError:
        pass
    formatted = black.format_str(text, mode=MODE)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(formatted)
        os.replace(temporary, entry)
    except OSError:
        pass
    return formatted


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Format every ``.py`` file with :data:`MODE`; other files pass through unchanged."""
    cache = cache_dir()
    return {
        path: format_python(text, cache) if path.endswith(".py") else text
        for path, text in files.items()
    }
