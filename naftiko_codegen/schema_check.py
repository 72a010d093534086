"""Validate phase, part one: the JSON Schema, reported so that a person can act on it.

``check_schema`` runs the project's JSON Schema (``schemas/naftiko-capability.schema.json``:
the official alpha2 schema plus the accepted dialect) over a loaded document and turns every
violation into a located :class:`~naftiko_codegen.diagnostics.Diagnostic`:

* all errors are reported, sorted by position;
* a failed ``oneOf``/``anyOf`` is reduced to the alternative the author evidently meant: the one
  whose discriminator (``type``, ``transport``, ``in``) matches; among those, one that has some
  of its own required keys, then the one missing the fewest keys and mismatching the fewest
  nested discriminators, then the one with the fewest errors, the most required keys present
  and the deepest errors. Only that alternative's errors are reported, never the cascade;
* unknown keys are reported one by one, at the key, with a "did you mean" hint;
* messages are one short line; ``found`` and ``expected`` carry the details.

Codes: NG100 unknown key, NG101 wrong type, NG102 missing required key, NG103 invalid value
(enum, const, pattern), NG104 any other schema violation.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path as FsPath
from typing import Any

import jsonschema

from .diagnostics import Diagnostic, Severity, format_path
from .loader import Document
from .schema_issues import Issue, dedupe
from .schema_reporter import Reporter

__all__ = ["check_schema", "load_schema", "schema_file"]


SCHEMA_NAME = "naftiko-capability.schema.json"


_MEMOIZED_REFS = frozenset(
    {
        "#/$defs/MappedOutputParameter",
        "#/$defs/ConsumedInputParameter",
        "#/$defs/ConsumedOutputParameter",
        "#/$defs/ExposedInputParameter",
        "#/$defs/McpToolInputParameter",
        "#/$defs/McpToolHints",
        "#/$defs/WithInjector",
        "#/$defs/Authentication",
    }
)
"""Small, frequently repeated definitions whose valid instances are remembered.

Generated capabilities repeat the same output parameter (``{type: object, mapping: $.}``), hints
and parameters hundreds of times; each ``oneOf`` over them costs five evaluations. Validity does
not depend on where an instance sits, so a valid (definition, instance) pair is valid everywhere.
"""


_MEMO_LIMIT = 50_000


_METADATA = frozenset({("info",)})
"""Where unknown keys are a warning, not an error: ``info`` is metadata (real files add
``related``, ``owner`` and the like), nothing is generated from a key we do not know there."""


def schema_file() -> FsPath:
    """Where the schema lives: inside the installed package, else at the repository root."""
    packaged = FsPath(__file__).parent / "schemas" / SCHEMA_NAME
    if packaged.exists():
        return packaged
    return FsPath(__file__).resolve().parent.parent / "schemas" / SCHEMA_NAME


@functools.cache
def load_schema() -> dict[str, Any]:
    """The accepted-dialect JSON Schema, parsed once."""
    schema: dict[str, Any] = json.loads(schema_file().read_text(encoding="utf-8"))
    return schema


_valid_memo: set[tuple[str, str]] = set()


def _memoized_ref(validator: Any, ref: str, instance: Any, schema: Any) -> Iterator[Any]:
    """``$ref`` that skips re-validating an instance already known valid for that definition."""
    if ref not in _MEMOIZED_REFS:
        yield from validator._validate_reference(ref=ref, instance=instance)
        return
    key = (ref, json.dumps(instance, sort_keys=True))
    if key in _valid_memo:
        return
    errors = list(validator._validate_reference(ref=ref, instance=instance))
    if not errors:
        if len(_valid_memo) >= _MEMO_LIMIT:
            _valid_memo.clear()
        _valid_memo.add(key)
    yield from errors


@functools.cache
def _validator() -> Any:
    """The compiled validator (draft 2020-12 with the memoizing ``$ref``), built once."""
    extend: Callable[..., Any] = jsonschema.validators.extend  # untyped in the stubs
    cls = extend(jsonschema.Draft202012Validator, {"$ref": _memoized_ref})
    return cls(load_schema())


def check_schema(document: Document) -> list[Diagnostic]:
    """Validate ``document`` against the schema; every violation as a located diagnostic.

    The result is sorted by position (then code and path) and free of duplicates.
    """
    reporter = Reporter(load_schema(), _validator())
    issues: list[Issue] = []
    for error in _validator().iter_errors(document.data):
        issues.extend(reporter.reduce(error))
    diagnostics: dict[tuple[int, int, str, str, str], Diagnostic] = {}
    for issue in dedupe(issues):
        metadata = issue.code == "NG100" and issue.path[:1] in _METADATA
        diagnostic = document.diagnostic(
            issue.path,
            issue.code,
            issue.message + (" (metadata: ignored)" if metadata else ""),
            key=issue.key,
            expected=issue.expected,
            found=issue.found,
            hint=issue.hint,
            severity=Severity.WARNING if metadata else Severity.ERROR,
        )
        sort_key = (
            diagnostic.line,
            diagnostic.column,
            diagnostic.code,
            format_path(diagnostic.path),
            diagnostic.message,
        )
        diagnostics.setdefault(sort_key, diagnostic)
    return [diagnostics[k] for k in sorted(diagnostics)]
