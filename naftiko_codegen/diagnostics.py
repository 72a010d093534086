"""Diagnostics: located errors and warnings, collected and reported all at once."""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

Path = tuple[str | int, ...]
"""A location inside the document: mapping keys and sequence indices from the root."""


class Severity(enum.StrEnum):
    """How serious a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"


CODES: dict[str, str] = {
    # Loading
    "NG001": "YAML syntax error",
    "NG002": "duplicate key",
    "NG003": "document root is not a mapping",
    "NG004": "unsupported YAML construct",
    "NG005": "document too large or too deep",
    "NG006": "file cannot be read",
    # JSON Schema
    "NG100": "unknown key",
    "NG101": "wrong type",
    "NG102": "missing required key",
    "NG103": "invalid value",
    "NG104": "schema violation",
    # Semantics
    "NG200": "unknown call target",
    "NG201": "ambiguous call target",
    "NG202": "unresolved reference in `with`",
    "NG203": "path placeholder without a source",
    "NG204": "duplicate name",
    "NG205": "port collision",
    "NG206": "route collision",
    "NG207": "tool name not accepted by MCP clients",
    "NG208": "identifier collision after sanitising",
    "NG209": "variable referenced but never bound",
    "NG210": "bound variable never referenced",
    "NG211": "feature not supported by the generator",
    "NG212": "location outside the spec's directory",
    "NG213": "imported consumes cannot be resolved",
    # OpenAPI documents (--openapi)
    "NG214": "OpenAPI document cannot be used",
    "NG215": "consumed operations without an OpenAPI operation",
    "NG216": "OpenAPI `$ref` not followed",
    # migrate
    "NG217": "not expressible in the official beta5 language (migrate)",
}


@functools.total_ordering
@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec, with everything needed to locate and fix it.

    Diagnostics order by file, line, column, then severity (errors first), code, JSON path
    and message: a total order, whatever mix of keys and indices their paths hold.
    """

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    path: Path = ()
    expected: str | None = None
    found: str | None = None
    hint: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """The key diagnostics are reported in."""
        return (
            self.file,
            self.line,
            self.column,
            self.severity is not Severity.ERROR,
            self.code,
            tuple(_part_key(part) for part in self.path),
            self.message,
            self.found or "",
            self.expected or "",
            self.hint or "",
        )

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    @property
    def json_path(self) -> str:
        """The location as a JSONPath expression such as ``$.capability.exposes[0].port``."""
        return format_path(self.path)

    def format_text(self) -> str:
        """Render as ``file:line:col: severity[code]: message`` plus detail lines."""
        head = (
            f"{self.file}:{self.line}:{self.column}: {self.severity.value}[{self.code}]: "
            f"{self.message}"
        )
        details = detail_lines(
            at=self.json_path, found=self.found, expected=self.expected, hint=self.hint
        )
        return "\n".join([head, *details])

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field (``validate --format json``)."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "title": CODES[self.code],
            "message": self.message,
            "path": self.json_path,
            "found": self.found,
            "expected": self.expected,
            "hint": self.hint,
        }


def _part_key(part: str | int) -> tuple[int, int, str]:
    """Indices before keys, so that paths with both compare without a TypeError."""
    if isinstance(part, int):
        return (0, part, "")
    return (1, 0, part)


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_path(path: Path) -> str:
    """Format a document path as JSONPath.

    Keys are written ``.key`` or ``["odd key"]``, indices ``[n]``.
    """
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


def describe_value(value: Any, limit: int = 60) -> str:
    """A short, single-line description of a document value for ``found:`` lines."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a sequence"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


class CompilationFailed(Exception):
    """Raised when a spec has errors; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Sequence[Diagnostic], language: str | None = None) -> None:
        super().__init__(f"{sum(d.severity is Severity.ERROR for d in diagnostics)} error(s)")
        self.diagnostics = sorted_diagnostics(diagnostics)
        self.language = language
        """The language the spec is written in, once it was read that far."""


def detail_lines(**details: str | None) -> list[str]:
    """The indented ``  <name>: <value>`` lines under a diagnostic's first line, one for
    each detail that is set, in the order given."""
    return [f"  {name}: {value}" for name, value in details.items() if value is not None]


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by file and position, errors before warnings, then code; drop exact duplicates."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def summary_line(diagnostics: Sequence[Diagnostic]) -> str:
    """``2 errors, 1 warning`` style summary."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
