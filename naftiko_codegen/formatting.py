"""Format phase: black, in memory, with a pinned mode (the user's settings never apply)."""

from __future__ import annotations

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


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Format every ``.py`` file with :data:`MODE`; other files pass through unchanged."""
    return {
        path: black.format_str(text, mode=MODE) if path.endswith(".py") else text
        for path, text in files.items()
    }
