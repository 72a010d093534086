"""Lookup steps: entries of an earlier step's answer matched by one of their fields."""

from __future__ import annotations

from typing import Any

from .errors import StepFailed


def lookup(
    step: str, table: Any, match: str, value: Any, fields: tuple[str, ...]
) -> Any:
    """The entries of ``table`` whose ``match`` field equals ``value``, cut to ``fields``.

    One value: the first matching entry, or ``None``. A list of values: the first matching
    entry of each value that has one, in the order of the values (``[]`` when none has).
    Values are compared as text, as the runtime engine does (``42`` matches ``"42"``); a
    missing field of a matched entry is ``None``.
    """
    if isinstance(table, dict):
        table = [table]
    elif table is None:
        table = []
    elif not isinstance(table, list):
        kind = type(table).__name__
        raise StepFailed(step, f"the index is {kind}, not an array of objects", 502)
    index: dict[str, dict[str, Any]] = {}
    for entry in table:
        if isinstance(entry, dict):
            key = _key(entry.get(match))
            if key is not None:
                index.setdefault(key, entry)

    def pick(wanted: Any) -> dict[str, Any] | None:
        key = _key(wanted)
        entry = index.get(key) if key is not None else None
        return None if entry is None else {field: entry.get(field) for field in fields}

    if isinstance(value, list):
        return [found for found in map(pick, value) if found is not None]
    return pick(value)


def _key(value: Any) -> str | None:
    """The text a value is matched by; ``None`` for null, objects and arrays."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value)
    return None
