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

import dataclasses
import difflib
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path as FsPath
from typing import Any

import jsonschema

from .diagnostics import Diagnostic, Path, Severity, describe_value, format_path
from .loader import Document

__all__ = ["check_schema", "load_schema", "schema_file"]

SCHEMA_NAME = "naftiko-capability.schema.json"

_DISCRIMINATORS = frozenset({"type", "transport", "in"})
"""Keys whose value selects one alternative of a ``oneOf``/``anyOf``."""

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

_PATTERN_DESCRIPTIONS: dict[str, str] = {
    "^[a-zA-Z0-9-]+$": "a kebab-case identifier (letters, digits and `-`)",
    "^[a-zA-Z0-9-_*]+$": "an identifier (letters, digits, `-`, `_` and `*`)",
    "^[A-Z][A-Z0-9_]*$": "an upper-case variable name such as `API_TOKEN` (A-Z, 0-9 and `_`)",
    "^[a-zA-Z][a-zA-Z0-9+.-]*://": "a URI with a scheme, such as `file:///path` or `vault://name`",
    "^[a-zA-Z0-9-]+\\.[a-zA-Z0-9-]+$": (
        "`namespace.name`: two kebab-case identifiers joined by one `.`"
    ),
    "^[a-zA-Z0-9-_.]+$": "a name made of letters, digits, `-`, `_` and `.`",
    "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$": "a date written YYYY-MM-DD, quoted",
    "^[a-zA-Z0-9._%+\\-]+@[a-zA-Z0-9.\\-]+\\.[a-zA-Z]{2,}$": "an e-mail address",
    "^file:///": "a `file:///` URI",
    (
        "^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
        "(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"
    ): "a host name",
    "^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$": (
        "an IPv4 address"
    ),
    "^([0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}$": "an IPv6 address",
    (
        "^[a-zA-Z0-9!#$&^_.+-]+\\/[a-zA-Z0-9!#$&^_.+-]+"
        '(?:\\s*;\\s*[a-zA-Z0-9!#$&^_.+-]+=(?:[a-zA-Z0-9!#$&^_.+-]+|"[^"]*"))*$'
    ): "a MIME type such as `application/json`",
    "^(?:(?:https?://[^/\\s]+|\\{\\{?[^{}\\s]+\\}?\\})(?:/\\S*[^/\\s])?)?$": (
        "an http(s) URL (placeholders such as `{region}` allowed) without a trailing `/` or "
        "spaces, a single placeholder such as `{API_URL}`, or an empty string"
    ),
    "^[a-zA-Z0-9_:-]+$": "a namespace (letters, digits, `-`, `_` and `:`)",
    "^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$": (
        "a name such as `list-pets`, `list_pets` or `ListPets` (letters, digits, `-`, `_`, `.`)"
    ),
    "^[a-zA-Z0-9_:-]+\\.[a-zA-Z0-9_][a-zA-Z0-9_.-]*$": (
        "`namespace.name`, such as `pets.list-pets`"
    ),
    "^(?:[a-zA-Z][a-zA-Z0-9+.-]*:.+|[^:]+)$": (
        "a URI such as `file://./secrets.json`, or a relative path such as `./secrets.json`"
    ),
    "^[a-zA-Z0-9!#$%&'*+.^_`|~-]+$": "an HTTP header name such as `Accept` or `X-Api-Version`",
}
"""Plain-language meaning of every ``pattern`` in the schema (a test keeps this complete)."""

_TYPE_NAMES = {
    "object": "mapping",
    "array": "sequence",
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
}

_METADATA = frozenset({("info",)})
"""Where unknown keys are a warning, not an error: ``info`` is metadata (real files add
``related``, ``owner`` and the like), nothing is generated from a key we do not know there."""

_LIST_LIMIT = 8
"""Most allowed values or keys spelled out in ``expected`` before truncating."""


# --------------------------------------------------------------------------- schema loading


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


# --------------------------------------------------------------------------- public entry


def check_schema(document: Document) -> list[Diagnostic]:
    """Validate ``document`` against the schema; every violation as a located diagnostic.

    The result is sorted by position (then code and path) and free of duplicates.
    """
    reporter = _Reporter(load_schema())
    issues: list[_Issue] = []
    for error in _validator().iter_errors(document.data):
        issues.extend(reporter.reduce(error))
    diagnostics: dict[tuple[int, int, str, str, str], Diagnostic] = {}
    for issue in _dedupe(issues):
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


# --------------------------------------------------------------------------- issues


@dataclasses.dataclass(frozen=True)
class _Issue:
    """One problem to report, before it is located in the source."""

    path: Path
    code: str
    message: str
    keyword: str
    """The JSON Schema keyword that failed (``unknown`` for unknown keys)."""
    key: bool = False
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    subject: str | None = None
    """The key concerned: the missing key, the unknown key or the key holding a bad value."""
    allowed: tuple[Any, ...] = ()
    """Allowed values (const/enum) or types (type) when the keyword names them."""


@dataclasses.dataclass(frozen=True)
class _Branch:
    index: int
    issues: list[_Issue]
    excluded: str | None
    """``type`` (the value has the wrong type), ``discriminator`` (its type/transport/in
    selects another alternative) or None."""
    root_missing: int
    deep_mismatches: int
    """Discriminators failing deeper inside (an output parameter of another kind)."""
    required: int
    required_present: int
    missing_discriminators: list[str]
    depth: int


def _dedupe(issues: Iterable[_Issue]) -> list[_Issue]:
    """Drop repeated issues, and value checks on a value that already has the wrong type."""
    listed = list(issues)
    mistyped = {i.path for i in listed if i.code == "NG101"}
    seen: set[tuple[Path, str, str, bool]] = set()
    out: list[_Issue] = []
    for issue in listed:
        marker = (issue.path, issue.code, issue.message, issue.key)
        if marker in seen or (issue.code == "NG103" and not issue.key and issue.path in mistyped):
            continue
        seen.add(marker)
        out.append(issue)
    return out


class _Reporter:
    """Turns jsonschema errors into issues, reducing alternatives to the intended one."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema

    # ----------------------------------------------------------------- schema helpers

    def resolve(self, schema: Any) -> Any:
        """Follow local ``$ref`` chains (``#/$defs/...``) to the referenced schema."""
        seen = 0
        while isinstance(schema, Mapping) and "$ref" in schema and seen < 20:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                break
            target: Any = self.schema
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            schema, seen = target, seen + 1
        return schema

    def _parts(self, schema: Any) -> Iterator[Mapping[str, Any]]:
        """The schema and everything it applies in place unconditionally ($ref, allOf)."""
        stack, seen = [schema], 0
        while stack and seen < 50:
            current = stack.pop()
            seen += 1
            if not isinstance(current, Mapping):
                continue
            yield current
            if "$ref" in current:
                stack.append(self.resolve({"$ref": current["$ref"]}))
            stack.extend(reversed(current.get("allOf", [])))

    def property_names(self, schema: Any) -> list[str]:
        names: dict[str, None] = {}
        for part in self._parts(schema):
            properties = part.get("properties")
            if isinstance(properties, Mapping):
                names.update(dict.fromkeys(properties))
        return list(names)

    def required_keys(self, schema: Any) -> list[str]:
        keys: dict[str, None] = {}
        for part in self._parts(schema):
            keys.update(dict.fromkeys(k for k in part.get("required", []) if isinstance(k, str)))
        return list(keys)

    def allowed_values(self, schema: Any, key: str) -> list[Any]:
        values: list[Any] = []
        for part in self._parts(schema):
            properties = part.get("properties")
            if not isinstance(properties, Mapping) or key not in properties:
                continue
            for prop in self._parts(properties[key]):
                if "const" in prop:
                    _add_unique(values, [prop["const"]])
                if isinstance(prop.get("enum"), list):
                    _add_unique(values, prop["enum"])
        return values

    # ----------------------------------------------------------------- reduction

    def reduce(self, error: Any) -> list[_Issue]:
        """The issues to report for one jsonschema error (alternatives reduced)."""
        if error.validator in ("oneOf", "anyOf"):
            if error.context:
                return self.alternatives(error)
            if error.validator == "oneOf":
                return [self.ambiguous(error)]
        return self.describe(error)

    def alternatives(self, error: Any) -> list[_Issue]:
        base: Path = tuple(error.absolute_path)
        instance = error.instance
        options: Sequence[Any] = error.validator_value
        grouped: dict[int, list[Any]] = {}
        for sub in error.context:
            grouped.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
        branches: list[_Branch] = []
        for index in sorted(grouped):
            issues = _dedupe(i for sub in grouped[index] for i in self.reduce(sub))
            required = self.required_keys(options[index])
            present = sum(1 for k in required if k in instance) if isinstance(instance, dict) else 0
            root_required = [i for i in issues if i.keyword == "required" and i.path == base]
            branches.append(
                _Branch(
                    index=index,
                    issues=issues,
                    excluded=_exclusion(issues, base),
                    root_missing=len(root_required),
                    deep_mismatches=sum(1 for i in issues if _is_deep_mismatch(i, base)),
                    required=len(required),
                    required_present=present,
                    missing_discriminators=[
                        i.subject for i in root_required if i.subject in _DISCRIMINATORS
                    ],
                    depth=max((len(i.path) - len(base) for i in issues), default=0),
                )
            )
        candidates = [b for b in branches if b.excluded is None]
        if not candidates:
            return self.no_alternative(error, branches)
        best = min(
            candidates,
            key=lambda b: (
                b.required > 0 and b.required_present == 0,
                b.root_missing + b.deep_mismatches,
                len(b.issues),
                -b.required_present,
                len(b.missing_discriminators),
                -b.depth,
                b.index,
            ),
        )
        if len(candidates) > 1:
            merged = _merge_root_alternatives(candidates, base)
            if merged is not None:
                return [merged]
        issues = [self.fill_discriminator(i, options[best.index], best) for i in best.issues]
        if len(candidates) > 1:
            if best.root_missing:
                issues = self.alternatives_hint(issues, best, candidates, options, base)
            switches = self.discriminator_switches(best, candidates, options)
            if switches:
                hint = "or set " + _join(switches, "or", quote=False)
                issues = [dataclasses.replace(i, hint=i.hint or hint) for i in issues]
        return issues

    def alternatives_hint(
        self,
        issues: list[_Issue],
        best: _Branch,
        candidates: Sequence[_Branch],
        options: Sequence[Any],
        base: Path,
    ) -> list[_Issue]:
        """Keys missing in the likeliest alternative: list the keys each alternative lacks."""
        ways: list[str] = []
        for branch in [best] + [b for b in candidates if b is not best and b.root_missing]:
            keys = []
            for issue in branch.issues:
                if issue.subject is None or issue.keyword != "required" or issue.path != base:
                    continue
                values = (
                    self.allowed_values(options[branch.index], issue.subject)
                    if issue.subject in branch.missing_discriminators
                    else []
                )
                keys.append(f"{issue.subject}: {values[0]}" if len(values) == 1 else issue.subject)
            _add_unique(ways, [_join(keys, "and")])
        if len(ways) < 2:
            return issues
        hint = "add " + "; or ".join(ways)
        return [
            (
                dataclasses.replace(i, hint=i.hint or hint)
                if i.keyword == "required" and i.path == base
                else i
            )
            for i in issues
        ]

    def fill_discriminator(self, issue: _Issue, option: Any, branch: _Branch) -> _Issue:
        """A missing ``type``-like key in the chosen alternative: name the value that fits."""
        if issue.subject not in branch.missing_discriminators or issue.keyword != "required":
            return issue
        values = self.allowed_values(option, issue.subject)
        if len(values) != 1:
            return issue
        setting = f"`{issue.subject}: {values[0]}`"
        return dataclasses.replace(
            issue, expected=setting, hint=issue.hint or f"the other keys fit {setting}"
        )

    def discriminator_switches(
        self, best: _Branch, candidates: Sequence[_Branch], options: Sequence[Any]
    ) -> list[str]:
        """Other alternatives that only lack a discriminator (``transport: stdio``)."""
        switches: list[str] = []
        for branch in candidates:
            if branch is best or not branch.missing_discriminators:
                continue
            if len(branch.issues) != len(branch.missing_discriminators):
                continue
            for key in branch.missing_discriminators:
                for value in self.allowed_values(options[branch.index], key):
                    _add_unique(switches, [f"`{key}: {value}`"])
        return switches

    def no_alternative(self, error: Any, branches: list[_Branch]) -> list[_Issue]:
        """Every alternative is ruled out by its type or discriminator: say which would fit."""
        base: Path = tuple(error.absolute_path)
        instance = error.instance
        if all(b.excluded == "type" for b in branches):
            types: list[Any] = []
            for branch in branches:
                for issue in branch.issues:
                    if issue.keyword == "type" and issue.path == base:
                        _add_unique(types, issue.allowed)
            return [_type_issue(base, types, instance)]
        shaped = [b for b in branches if b.excluded == "discriminator"]
        key = next(
            (
                i.subject
                for b in shaped
                for i in b.issues
                if i.subject in _DISCRIMINATORS and _is_discriminating(i, base)
            ),
            "type",
        )
        values: list[Any] = []
        for branch in shaped:
            _add_unique(values, self.allowed_values(error.validator_value[branch.index], key))
        expected = _one_of(values) if values else None
        if isinstance(instance, dict) and key in instance:
            value = instance[key]
            return [
                _Issue(
                    path=base + (key,),
                    code="NG103",
                    message=_invalid_value_message(value, key),
                    keyword="enum",
                    expected=expected,
                    found=describe_value(value),
                    hint=_suggest(value, values),
                    subject=key,
                    allowed=tuple(values),
                )
            ]
        return [
            _Issue(
                path=base,
                code="NG102",
                message=f"missing required key `{key}`",
                keyword="required",
                expected=expected,
                found=_present_keys(instance),
                subject=key,
            )
        ]

    def ambiguous(self, error: Any) -> _Issue:
        """A ``oneOf`` matched more than one alternative."""
        base: Path = tuple(error.absolute_path)
        instance = error.instance
        validator = _validator()
        matching = [
            option
            for option in error.validator_value
            if validator.evolve(schema=option).is_valid(instance)
        ]
        keys: list[str] = []
        if isinstance(instance, dict):
            for option in matching:
                _add_unique(keys, [k for k in self.required_keys(option) if k in instance])
        if len(keys) >= 2:
            return _Issue(
                path=base,
                code="NG104",
                message=f"{_join(keys, 'and')} cannot be used together",
                keyword="oneOf",
                expected=f"exactly one of {_join(keys, 'or')}",
                found=_present_keys(instance),
                hint="keep only one of them",
            )
        return _Issue(
            path=base,
            code="NG104",
            message="matches more than one of the allowed forms",
            keyword="oneOf",
            expected="exactly one form",
            found=describe_value(instance),
        )

    # ----------------------------------------------------------------- single errors

    def describe(self, error: Any) -> list[_Issue]:
        keyword = error.validator
        path: Path = tuple(error.absolute_path)
        instance = error.instance
        value = error.validator_value
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        if "propertyNames" in error.absolute_schema_path and isinstance(instance, str):
            return [self.bad_key(path, instance, keyword, schema)]
        if keyword in ("additionalProperties", "unevaluatedProperties"):
            return self.unknown_keys(path, instance, schema)
        if keyword == "required":
            return self.missing(path, instance, value, schema)
        if keyword == "type":
            return [_type_issue(path, _ensure_list(value), instance)]
        if keyword in ("enum", "const"):
            allowed = list(value) if keyword == "enum" else [value]
            subject = path[-1] if path and isinstance(path[-1], str) else None
            return [
                _Issue(
                    path=path,
                    code="NG103",
                    message=_invalid_value_message(instance, subject),
                    keyword=keyword,
                    expected=_one_of(allowed) if keyword == "enum" else _literal(value),
                    found=describe_value(instance),
                    hint=_suggest(instance, allowed),
                    subject=subject,
                    allowed=tuple(allowed),
                )
            ]
        if keyword == "pattern":
            subject = path[-1] if path and isinstance(path[-1], str) else None
            return [
                _Issue(
                    path=path,
                    code="NG103",
                    message=_invalid_value_message(instance, subject),
                    keyword=keyword,
                    expected=_pattern_description(value),
                    found=describe_value(instance),
                    hint=_pattern_hint(value, instance, subject),
                    subject=subject,
                )
            ]
        if keyword == "not":
            return self.forbidden(path, instance, value)
        return [_other_issue(keyword, path, instance, value)]

    def bad_key(self, path: Path, name: str, keyword: str, schema: Mapping[str, Any]) -> _Issue:
        """A mapping key rejected by ``propertyNames``."""
        expected = (
            _pattern_description(schema["pattern"])
            if keyword == "pattern" and "pattern" in schema
            else None
        )
        return _Issue(
            path=path + (name,),
            code="NG103",
            message=f"invalid key {describe_value(name)}",
            keyword=keyword,
            key=True,
            expected=expected,
            found=describe_value(name),
            hint=_pattern_hint(schema.get("pattern"), name, None),
            subject=name,
        )

    def unknown_keys(self, path: Path, instance: Any, schema: Mapping[str, Any]) -> list[_Issue]:
        if not isinstance(instance, dict):
            return []
        allowed = self.property_names(schema)
        patterns = list(schema.get("patternProperties", {}))
        unknown = [
            k for k in instance if k not in allowed and not any(re.search(p, k) for p in patterns)
        ]
        issues = []
        for name in unknown:
            close = _close_match(name, tuple(allowed), 0.6)
            hint = f"did you mean `{close}`?" if close else None
            if hint is None and not allowed:
                hint = "this mapping takes no keys"
            issues.append(
                _Issue(
                    path=path + (name,),
                    code="NG100",
                    message=f"unknown key `{name}`",
                    keyword="unknown",
                    key=True,
                    expected=_keys_list("one of", allowed) if allowed else "no keys",
                    found=f"`{name}`",
                    hint=hint,
                    subject=name,
                )
            )
        return issues

    def missing(
        self, path: Path, instance: Any, required: Any, schema: Mapping[str, Any]
    ) -> list[_Issue]:
        if not isinstance(instance, dict):
            return []
        allowed = set(self.property_names(schema))
        strangers = [k for k in instance if k not in allowed] if allowed else []
        issues = []
        for name in required:
            if name in instance:
                continue
            hint = None
            close = _close_match(name, tuple(strangers), 0.75) if strangers else None
            if close:
                hint = f"`{close}` looks like a misspelling of `{name}`"
            elif name == "properties" and instance.get("type") == "object":
                hint = (
                    "describe the fields under `properties`, or write `mapping: $.` "
                    "to return the upstream body unchanged"
                )
            issues.append(
                _Issue(
                    path=path,
                    code="NG102",
                    message=f"missing required key `{name}`",
                    keyword="required",
                    expected=(
                        _keys_list("required keys", list(required))
                        if len(required) > 1
                        else f"a `{name}` key"
                    ),
                    found=_present_keys(instance),
                    hint=hint,
                    subject=name,
                )
            )
        return issues

    def forbidden(self, path: Path, instance: Any, not_schema: Any) -> list[_Issue]:
        """A ``not`` failed: name the keys it forbids, at the keys, when it is about keys."""
        keys: list[str] = []
        if isinstance(instance, dict):
            stack = [self.resolve(not_schema)]
            while stack:
                current = stack.pop()
                if not isinstance(current, Mapping):
                    continue
                _add_unique(keys, [k for k in current.get("required", []) if k in instance])
                stack.extend(self.resolve(s) for s in current.get("anyOf", []))
                stack.extend(self.resolve(s) for s in current.get("oneOf", []))
        if keys:
            return [
                _Issue(
                    path=path + (name,),
                    code="NG104",
                    message=f"`{name}` is not allowed here",
                    keyword="not",
                    key=True,
                    expected=f"no `{name}` key in this form",
                    found=f"`{name}`",
                    hint=f"remove `{name}`",
                    subject=name,
                )
                for name in keys
            ]
        return [
            _Issue(
                path=path,
                code="NG104",
                message="value is not allowed here",
                keyword="not",
                found=describe_value(instance),
            )
        ]


# --------------------------------------------------------------------------- helpers


def _exclusion(issues: Sequence[_Issue], base: Path) -> str | None:
    """Why an alternative is evidently not the one meant, if it is not."""
    if any(i.keyword == "type" and i.path == base for i in issues):
        return "type"
    if any(_is_discriminating(i, base) for i in issues):
        return "discriminator"
    return None


def _is_discriminating(issue: _Issue, base: Path) -> bool:
    """True when the issue says the alternative's discriminator does not match."""
    n = len(base)
    child = len(issue.path) == n + 1 and issue.path[:n] == base
    if issue.keyword == "const" and child:
        return True
    return issue.keyword in ("enum", "unknown") and child and issue.path[n] in _DISCRIMINATORS


def _is_deep_mismatch(issue: _Issue, base: Path) -> bool:
    """A discriminator failing below the alternative's own keys."""
    return (
        issue.keyword in ("const", "enum", "unknown")
        and len(issue.path) > len(base) + 1
        and issue.path[-1] in _DISCRIMINATORS
    )


def _merge_root_alternatives(candidates: Sequence[_Branch], base: Path) -> _Issue | None:
    """One value failing several alternatives the same way (``Address``: host name, IPv4, IPv6)."""
    firsts = []
    for branch in candidates:
        if len(branch.issues) != 1:
            return None
        issue = branch.issues[0]
        if issue.path != base or issue.keyword not in ("pattern", "enum", "const"):
            return None
        firsts.append(issue)
    expected: list[str] = []
    _add_unique(expected, [i.expected for i in firsts if i.expected])
    return dataclasses.replace(firsts[0], expected=_join(expected, "or", quote=False))


def _type_issue(path: Path, types: Sequence[Any], instance: Any) -> _Issue:
    expected = " or ".join(_TYPE_NAMES.get(t, str(t)) for t in types)
    found = _found(instance)
    hint = None
    if isinstance(instance, str) and ("integer" in types or "number" in types):
        if re.fullmatch(r"[-+]?\d+(\.\d+)?", instance.strip()):
            hint = f"write {instance.strip()} without quotes"
    elif "string" in types and (isinstance(instance, (bool, int, float))):
        hint = "quote the value to make it a string"
    elif instance is None:
        hint = "the value is empty: fill it in or remove the key"
    subject = path[-1] if path and isinstance(path[-1], str) else None
    return _Issue(
        path=path,
        code="NG101",
        message=f"expected {expected}, found {found}",
        keyword="type",
        expected=expected,
        found=found,
        hint=hint,
        subject=subject,
        allowed=tuple(types),
    )


def _other_issue(keyword: str | None, path: Path, instance: Any, value: Any) -> _Issue:
    found = describe_value(instance)
    message, expected = "value is not allowed here", None
    if keyword == "minItems":
        message = "must not be empty" if value == 1 else f"needs at least {value} items"
        expected, found = f"at least {value} item{'s' * (value != 1)}", f"{len(instance)} items"
    elif keyword == "maxItems":
        message = f"has more than {value} items"
        expected, found = f"at most {value} items", f"{len(instance)} items"
    elif keyword == "minLength":
        message = "must not be empty" if value == 1 else f"is shorter than {value} characters"
        expected, found = f"at least {value} characters", f"{len(instance)} characters"
    elif keyword == "maxLength":
        message = f"is longer than {value} characters"
        expected, found = f"at most {value} characters", f"{len(instance)} characters"
    elif keyword == "minimum":
        message, expected = f"must be at least {value}", f"at least {value}"
    elif keyword == "maximum":
        message, expected = f"must be at most {value}", f"at most {value}"
    elif keyword == "exclusiveMinimum":
        message, expected = f"must be greater than {value}", f"more than {value}"
    elif keyword == "exclusiveMaximum":
        message, expected = f"must be less than {value}", f"less than {value}"
    elif keyword in ("oneOf", "anyOf"):
        message, expected = "does not match any of the allowed forms", None
    elif keyword is not None:
        message = f"does not satisfy `{keyword}`"
        expected = f"{keyword}: {json.dumps(value)[:60]}"
    return _Issue(
        path=path,
        code="NG104",
        message=message,
        keyword=keyword or "false",
        expected=expected,
        found=found,
    )


def _invalid_value_message(instance: Any, subject: str | int | None) -> str:
    where = f" for `{subject}`" if isinstance(subject, str) else ""
    if isinstance(instance, (dict, list)):
        return f"invalid value{where}: {describe_value(instance)}"
    return f"invalid value {describe_value(instance)}{where}"


def _pattern_description(pattern: str) -> str:
    return _PATTERN_DESCRIPTIONS.get(pattern, f"a string matching the regular expression {pattern}")


def _pattern_hint(pattern: Any, value: Any, subject: str | int | None) -> str | None:
    """A corrected value to copy, for the patterns where one can be guessed."""
    if not isinstance(value, str):
        return None
    if subject == "baseUri" and value.endswith("/"):
        return "remove the trailing `/`; resource paths start with `/`"
    if pattern in ("^[a-zA-Z0-9-]+$", "^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$", "^[a-zA-Z0-9_:-]+$"):
        fixed = re.sub(r"[^a-zA-Z0-9]+", "-", value).strip("-").lower()
    elif pattern == "^[A-Z][A-Z0-9_]*$":
        fixed = re.sub(r"[^A-Z0-9]+", "_", value.upper()).strip("_")
        fixed = fixed if fixed[:1].isalpha() else ""
    else:
        return None
    if fixed and fixed != value and re.fullmatch(pattern, fixed):
        return f"for example `{fixed}`"
    return None


def _found(instance: Any) -> str:
    if isinstance(instance, dict):
        return "mapping"
    if isinstance(instance, list):
        return "sequence"
    if instance is None:
        return "null"
    if isinstance(instance, bool):
        kind = "boolean"
    elif isinstance(instance, int):
        kind = "integer"
    elif isinstance(instance, float):
        kind = "number"
    else:
        kind = "string"
    return f"{kind} {describe_value(instance)}"


def _present_keys(instance: Any) -> str | None:
    if isinstance(instance, dict):
        return _keys_list("keys", list(instance)) if instance else "an empty mapping"
    return _found(instance)


def _literal(value: Any) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def _one_of(values: Sequence[Any]) -> str:
    if len(values) == 1:
        return _literal(values[0])
    return "one of " + _truncate([_literal(v) for v in values])


def _keys_list(prefix: str, keys: Sequence[str]) -> str:
    return f"{prefix} " + _truncate([f"`{k}`" for k in keys])


def _truncate(items: Sequence[str]) -> str:
    if len(items) <= _LIST_LIMIT:
        return ", ".join(items)
    shown = ", ".join(items[:_LIST_LIMIT])
    return f"{shown}, … ({len(items) - _LIST_LIMIT} more)"


def _join(items: Sequence[str], word: str, *, quote: bool = True) -> str:
    parts = [f"`{i}`" if quote else i for i in items]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def _suggest(value: Any, allowed: Sequence[Any]) -> str | None:
    if not isinstance(value, str):
        return None
    close = _close_match(value, tuple(a for a in allowed if isinstance(a, str)), 0.7)
    return f"did you mean `{close}`?" if close else None


@functools.lru_cache(maxsize=4096)
def _close_match(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    """The candidate equal to ``word`` but for case, else the closest above ``cutoff``."""
    lowered = word.lower()
    for candidate in candidates:
        if candidate.lower() == lowered:
            return candidate
    for candidate in candidates:
        if len(lowered) > 2 and _one_edit_apart(lowered, candidate.lower()):
            return candidate
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return close[0] if close else None


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or adjacent swap turns ``a`` into ``b``."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and (a[diffs[1]] == b[diffs[0]])
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _ensure_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _add_unique(target: list[Any], items: Iterable[Any]) -> None:
    for item in items:
        if item not in target:
            target.append(item)
