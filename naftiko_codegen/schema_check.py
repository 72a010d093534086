"""Validate phase, part one: the JSON Schema, reported so that a person can act on it.

``check_schema`` runs one of the project's JSON Schemas over a loaded document (``alpha2``:
``schemas/naftiko-capability.schema.json``, the official alpha2 schema plus the accepted
dialect; ``beta5``: ``schemas/ikanos-capability.schema.json``, the same for Ikanos
1.0.0-beta5; ``beta5-official``: the official beta5 schema alone) and turns every violation
into a located :class:`~naftiko_codegen.diagnostics.Diagnostic`:

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
SCHEMAS = {
    "alpha2": SCHEMA_NAME,
    "beta5": "ikanos-capability.schema.json",
    "beta5-official": "official/ikanos-schema-beta5.json",
}
"""The schema file of each dialect, below ``schemas/``."""


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


def schema_file(dialect: str = "alpha2") -> FsPath:
    """Where a dialect's schema lives: inside the installed package, else at the repository
    root."""
    packaged = FsPath(__file__).parent / "schemas" / SCHEMAS[dialect]
    if packaged.exists():
        return packaged
    return FsPath(__file__).resolve().parent.parent / "schemas" / SCHEMAS[dialect]


@functools.cache
def load_schema(dialect: str = "alpha2") -> dict[str, Any]:
    """A dialect's JSON Schema, parsed once."""
    schema: dict[str, Any] = json.loads(schema_file(dialect).read_text(encoding="utf-8"))
    return schema


_VALID_MEMOS: dict[str, set[tuple[str, str]]] = {}
"""The valid (definition, instance) pairs found so far, one set per dialect."""


def _memoized_ref(memo: set[tuple[str, str]]) -> Callable[..., Iterator[Any]]:
    """``$ref`` that skips re-validating an instance already known valid for that definition
    (``memo``: the valid pairs of one schema)."""

    def validate_ref(validator: Any, ref: str, instance: Any, schema: Any) -> Iterator[Any]:
        if ref not in _MEMOIZED_REFS:
            yield from validator._validate_reference(ref=ref, instance=instance)
            return
        key = (ref, json.dumps(instance, sort_keys=True))
        if key in memo:
            return
        errors = list(validator._validate_reference(ref=ref, instance=instance))
        if not errors:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo.add(key)
        yield from errors

    return validate_ref


@functools.cache
def _validator(dialect: str = "alpha2") -> Any:
    """A dialect's compiled validator (draft 2020-12 with the memoizing ``$ref``), built once."""
    extend: Callable[..., Any] = jsonschema.validators.extend  # untyped in the stubs
    memo = _VALID_MEMOS.setdefault(dialect, set())
    cls = extend(jsonschema.Draft202012Validator, {"$ref": _memoized_ref(memo)})
    return cls(load_schema(dialect))


def check_schema(document: Document, dialect: str = "alpha2") -> list[Diagnostic]:
    """Validate ``document`` against a dialect's schema; every violation as a located
    diagnostic.

    The result is sorted by position (then code and path) and free of duplicates.
    """
    validator = _validator(dialect)
    reporter = Reporter(load_schema(dialect), validator)
    issues: list[Issue] = []
    for error in validator.iter_errors(document.data):
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
