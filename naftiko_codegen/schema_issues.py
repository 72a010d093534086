"""Schema problems before they are located: one :class:`Issue` each, and the rules that
tell which alternative of a ``oneOf``/``anyOf`` its author meant."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .diagnostics import Path, describe_value
from .schema_words import TYPE_NAMES, add_unique, found_text, join_words

DISCRIMINATORS = frozenset({"type", "transport", "in"})
"""Keys whose value selects one alternative of a ``oneOf``/``anyOf``."""


@dataclasses.dataclass(frozen=True)
class Issue:
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

    @classmethod
    def at_key(
        cls,
        path: Path,
        name: str,
        code: str,
        message: str,
        keyword: str,
        *,
        expected: str | None,
        hint: str | None,
        found: str | None = None,
    ) -> Issue:
        """A problem with the key ``name`` itself of the mapping at ``path``: located at the
        key, found as `` `name` `` unless ``found`` says otherwise."""
        return cls(
            path=path + (name,),
            code=code,
            message=message,
            keyword=keyword,
            key=True,
            expected=expected,
            found=f"`{name}`" if found is None else found,
            hint=hint,
            subject=name,
        )


@dataclasses.dataclass(frozen=True)
class Branch:
    index: int
    issues: list[Issue]
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


def dedupe(issues: Iterable[Issue]) -> list[Issue]:
    """Drop repeated issues, and value checks on a value that already has the wrong type."""
    listed = list(issues)
    mistyped = {i.path for i in listed if i.code == "NG101"}
    seen: set[tuple[Path, str, str, bool]] = set()
    out: list[Issue] = []
    for issue in listed:
        marker = (issue.path, issue.code, issue.message, issue.key)
        if marker in seen or (issue.code == "NG103" and not issue.key and issue.path in mistyped):
            continue
        seen.add(marker)
        out.append(issue)
    return out


def exclusion(issues: Sequence[Issue], base: Path) -> str | None:
    """Why an alternative is evidently not the one meant, if it is not."""
    if any(i.keyword == "type" and i.path == base for i in issues):
        return "type"
    if any(is_discriminating(i, base) for i in issues):
        return "discriminator"
    return None


def is_discriminating(issue: Issue, base: Path) -> bool:
    """True when the issue says the alternative's discriminator does not match."""
    n = len(base)
    child = len(issue.path) == n + 1 and issue.path[:n] == base
    if issue.keyword == "const" and child:
        return True
    return issue.keyword in ("enum", "unknown") and child and issue.path[n] in DISCRIMINATORS


def is_deep_mismatch(issue: Issue, base: Path) -> bool:
    """A discriminator failing below the alternative's own keys."""
    return (
        issue.keyword in ("const", "enum", "unknown")
        and len(issue.path) > len(base) + 1
        and issue.path[-1] in DISCRIMINATORS
    )


def merge_root_alternatives(candidates: Sequence[Branch], base: Path) -> Issue | None:
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
    add_unique(expected, [i.expected for i in firsts if i.expected])
    return dataclasses.replace(firsts[0], expected=join_words(expected, "or", quote=False))


def type_issue(path: Path, types: Sequence[Any], instance: Any) -> Issue:
    expected = " or ".join(TYPE_NAMES.get(t, str(t)) for t in types)
    found = found_text(instance)
    hint = None
    if isinstance(instance, str) and ("integer" in types or "number" in types):
        if re.fullmatch(r"[-+]?\d+(\.\d+)?", instance.strip()):
            hint = f"write {instance.strip()} without quotes"
    elif "string" in types and (isinstance(instance, (bool, int, float))):
        hint = "quote the value to make it a string"
    elif instance is None:
        hint = "the value is empty: fill it in or remove the key"
    subject = path[-1] if path and isinstance(path[-1], str) else None
    return Issue(
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


_SIZES = {
    "minItems": ("needs at least {} items", "at least {} item{}", "items"),
    "maxItems": ("has more than {} items", "at most {} items", "items"),
    "minLength": ("is shorter than {} characters", "at least {} characters", "characters"),
    "maxLength": ("is longer than {} characters", "at most {} characters", "characters"),
}
"""Size keywords: the message, what was expected (``{}``: the bound, then an ``s`` unless
it is one) and what is counted."""

_BOUNDS = {
    "minimum": ("must be at least", "at least"),
    "maximum": ("must be at most", "at most"),
    "exclusiveMinimum": ("must be greater than", "more than"),
    "exclusiveMaximum": ("must be less than", "less than"),
}
"""Bound keywords: the message and what was expected, each followed by the bound."""


def other_issue(keyword: str | None, path: Path, instance: Any, value: Any) -> Issue:
    found = describe_value(instance)
    message, expected = "value is not allowed here", None
    if keyword in _SIZES:
        message, expected, counted = _SIZES[keyword]
        empty = value == 1 and keyword.startswith("min")
        message = "must not be empty" if empty else message.format(value)
        expected = expected.format(value, "s" * (value != 1))
        found = f"{len(instance)} {counted}"
    elif keyword in _BOUNDS:
        message, expected = (f"{words} {value}" for words in _BOUNDS[keyword])
    elif keyword in ("oneOf", "anyOf"):
        message, expected = "does not match any of the allowed forms", None
    elif keyword is not None:
        message = f"does not satisfy `{keyword}`"
        expected = f"{keyword}: {json.dumps(value)[:60]}"
    return Issue(
        path=path,
        code="NG104",
        message=message,
        keyword=keyword or "false",
        expected=expected,
        found=found,
    )
