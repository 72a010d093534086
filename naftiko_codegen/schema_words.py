"""How schema diagnostics word what was found and what was expected: pattern descriptions,
type names, lists, suggestions ("did you mean") and corrected values to copy."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .diagnostics import describe_value

PATTERN_DESCRIPTIONS: dict[str, str] = {
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


TYPE_NAMES = {
    "object": "mapping",
    "array": "sequence",
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
}


LIST_LIMIT = 8
"""Most allowed values or keys spelled out in ``expected`` before truncating."""


def invalid_value_message(instance: Any, subject: str | int | None) -> str:
    where = f" for `{subject}`" if isinstance(subject, str) else ""
    if isinstance(instance, (dict, list)):
        return f"invalid value{where}: {describe_value(instance)}"
    return f"invalid value {describe_value(instance)}{where}"


def pattern_description(pattern: str) -> str:
    return PATTERN_DESCRIPTIONS.get(pattern, f"a string matching the regular expression {pattern}")


def pattern_hint(pattern: Any, value: Any, subject: str | int | None) -> str | None:
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


def found_text(instance: Any) -> str:
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


def present_keys(instance: Any) -> str | None:
    if isinstance(instance, dict):
        return keys_list("keys", list(instance)) if instance else "an empty mapping"
    return found_text(instance)


def literal_text(value: Any) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def one_of_text(values: Sequence[Any]) -> str:
    if len(values) == 1:
        return literal_text(values[0])
    return "one of " + truncated([literal_text(v) for v in values])


def keys_list(prefix: str, keys: Sequence[str]) -> str:
    return f"{prefix} " + truncated([f"`{k}`" for k in keys])


def truncated(items: Sequence[str]) -> str:
    if len(items) <= LIST_LIMIT:
        return ", ".join(items)
    shown = ", ".join(items[:LIST_LIMIT])
    return f"{shown}, … ({len(items) - LIST_LIMIT} more)"


def join_words(items: Sequence[str], word: str, *, quote: bool = True) -> str:
    parts = [f"`{i}`" if quote else i for i in items]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def suggestion(value: Any, allowed: Sequence[Any]) -> str | None:
    if not isinstance(value, str):
        return None
    close = close_match(value, tuple(a for a in allowed if isinstance(a, str)), 0.7)
    return f"did you mean `{close}`?" if close else None


@functools.lru_cache(maxsize=4096)
def close_match(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    """The candidate equal to ``word`` but for case, else the closest above ``cutoff``."""
    lowered = word.lower()
    for candidate in candidates:
        if candidate.lower() == lowered:
            return candidate
    for candidate in candidates:
        if len(lowered) > 2 and one_edit_apart(lowered, candidate.lower()):
            return candidate
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return close[0] if close else None


def one_edit_apart(a: str, b: str) -> bool:
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


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def add_unique(target: list[Any], items: Iterable[Any]) -> None:
    for item in items:
        if item not in target:
            target.append(item)
