"""Text filters of the templates for non-Python files: TOML strings, JSON, Markdown."""

from __future__ import annotations

import json
from typing import Any

from .. import ir


def toml_str(text: str) -> str:
    """A TOML basic string: JSON's escaping plus DEL, which TOML forbids raw."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def json_text(value: Any, *, sort_keys: bool = False) -> str:
    """Deterministic, human-readable JSON (``sort_keys`` where spec mapping order leaks in)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys) + "\n"


def md_text(text: str) -> str:
    """Spec text as Markdown paragraph text (HTML-like characters neutralised)."""
    return text.replace("<", "&lt;").replace(">", "&gt;").strip()


def md_cell(text: str) -> str:
    """Spec text for one Markdown table cell: one line, pipes and backticks escaped."""
    flat = " ".join(md_text(text).split())
    return flat.replace("|", "\\|").replace("`", "'")


def md_code(text: str) -> str:
    """Inline code for a name."""
    return "`" + md_cell(text) + "`"


def hints_text(annotations: ir.ToolAnnotations) -> str:
    """A short list of the hints that are set."""
    names = [
        ("read-only", annotations.read_only),
        ("destructive", annotations.destructive),
        ("idempotent", annotations.idempotent),
        ("open-world", annotations.open_world),
    ]
    return ", ".join(name for name, value in names if value) or "none"
