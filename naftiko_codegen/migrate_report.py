"""What a migrated document cannot express in the official beta5 language, reported where the
alpha2 file wrote it.

The migrated text is checked against the official Ikanos 1.0.0-beta5 schema; every problem
is one of the real-world forms naftiko-gen accepts beyond it (DESIGN.md §2), kept as written
so that the build does not change. Each becomes a warning (NG217) located in the alpha2 file,
naming the form (:data:`FORMS`) and the beta5 path. A document naftiko-gen's own beta5
dialect refused would be a bug in the migration: it is an internal error, never output.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .diagnostics import Diagnostic, Path, Severity, format_path, has_errors
from .loader import Document, load_text
from .schema_check import check_schema

FORMS = {
    "consumed-parameter-field": "a consumed parameter's `type`, `required` or `description` "
    "(the generated client and the MCP arguments derived from it use them)",
    "passthrough-output": "an object output without `properties` that passes the upstream "
    "answer through",
    "name-form": "a name, namespace or reference outside beta5's forms (kebab-case names, "
    "parameter names of letters, digits, `-`, `_` and `*`)",
    "base-uri": "a `baseUri` that is empty or has placeholders outside its path",
    "http-method": "the HTTP method HEAD or OPTIONS",
    "raw-format": "`outputRawFormat: text`",
    "static-headers": "static `headers` on a consumed API",
    "description": "a `description` where beta5 has none (a REST adapter, credentials)",
    "operation-path": "an exposed operation's own `path`",
    "empty-list": "an empty list of resources, operations or tools",
    "array-items": "an array output without `items`",
    "location-form": "a location that is not a `file:///` URI",
    "other": "a form beta5 has no place for",
}
"""The forms of the accepted dialect a beta5 document may still need, by name."""


def form_of(diagnostic: Diagnostic) -> str:
    """The name (in :data:`FORMS`) of the real-world form an official-schema problem is."""
    path = diagnostic.path
    last = path[-1] if path else None
    if diagnostic.code == "NG100":
        if last in ("type", "required", "description") and "inputParameters" in path:
            return "consumed-parameter-field"
        if last == "headers":
            return "static-headers"
        if last == "description":
            return "description"
        if last == "path":
            return "operation-path"
        return "other"
    if diagnostic.code == "NG102":
        if "properties" in diagnostic.message:
            return "passthrough-output"
        if "items" in diagnostic.message:
            return "array-items"
        return "other"
    if diagnostic.code == "NG104" and (
        "empty" in diagnostic.message or "minProperties" in diagnostic.message
    ):
        return "empty-list"
    if diagnostic.code == "NG103":
        if diagnostic.message.startswith("invalid key") or last in ("call", "ref", "namespace"):
            return "name-form"
        return {
            "baseUri": "base-uri",
            "method": "http-method",
            "outputRawFormat": "raw-format",
            "location": "location-form",
            "defaultLocation": "location-form",
            "import": "name-form",
            "as": "name-form",
            "targetNamespace": "name-form",
        }.get(str(last), "other")
    return "other"


def inexpressible(text: str, origins: Mapping[Path, Path], alpha2: Document) -> list[Diagnostic]:
    """NG217 warnings, located in ``alpha2``, for what ``text`` (its migration) keeps that the
    official beta5 schema refuses; ``origins`` maps beta5 paths to alpha2 paths."""
    migrated = load_text(text, alpha2.file)
    own = check_schema(migrated, "beta5")
    if has_errors(own):
        refused = next(d for d in own if d.severity is Severity.ERROR)
        raise RuntimeError(f"migrate wrote a document naftiko-gen refuses: {refused.format_text()}")
    first: dict[str, Diagnostic] = {}
    lines: dict[str, set[int]] = {}
    for problem in check_schema(migrated, "beta5-official"):
        form = form_of(problem)
        written = source_path(problem.path, origins)
        key = problem.code == "NG103" and problem.message.startswith("invalid key")
        if form in first:
            lines[form].add(alpha2.locate(written, key=key)[0])
            continue
        first[form] = alpha2.diagnostic(
            written,
            "NG217",
            f"not expressible in the official beta5 language: {FORMS[form]}; kept as written",
            key=key,
            severity=Severity.WARNING,
            found=problem.found,
            expected=problem.expected,
            hint=f"naftiko-gen builds it; the official schema refuses it at "
            f"{format_path(problem.path)} ({problem.message})",
        )
        lines[form] = set()
    return [_also_at(first[form], lines[form]) for form in first]


def _also_at(diagnostic: Diagnostic, lines: set[int]) -> Diagnostic:
    """``diagnostic``, its message naming the other lines where the same form is written."""
    others = sorted(lines - {diagnostic.line})
    if not others:
        return diagnostic
    shown = ", ".join(str(line) for line in others[:_LINES_SHOWN])
    more = f" and {len(others) - _LINES_SHOWN} more" if len(others) > _LINES_SHOWN else ""
    return dataclasses.replace(
        diagnostic, message=f"{diagnostic.message} (also at lines {shown}{more})"
    )


_LINES_SHOWN = 12
"""How many other lines a grouped NG217 warning names before it counts the rest."""


def source_path(path: Path, origins: Mapping[Path, Path]) -> Path:
    """Where the beta5 ``path`` was written in the alpha2 document."""
    for end in range(len(path), -1, -1):
        written = origins.get(path[:end])
        if written is not None:
            return written + path[end:]
    return path
