"""Reading and shaping JSON values: compiled JSONPath steps and declared output types."""

from __future__ import annotations

import json
from typing import Any


def dig(value: Any, *steps: str | int) -> Any:
    """Follow keys and indices into ``value``; ``None`` as soon as one is missing."""
    for step in steps:
        if isinstance(step, str):
            value = value.get(step) if isinstance(value, dict) else None
        elif isinstance(value, list) and -len(value) <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def as_list(value: Any) -> list[Any]:
    """A list as is, ``None`` as an empty list, anything else as a one-element list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_string(value: Any) -> str | None:
    """A string output: text as is, other scalars in their JSON spelling, ``None`` kept."""
    if value is None or isinstance(value, str):
        return value
    return (
        json.dumps(value, ensure_ascii=False)
        if isinstance(value, (dict, list, bool))
        else str(value)
    )


def as_number(value: Any) -> float | int | None:
    """A number output: numbers as is, numeric text converted, anything else ``None``."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in value else number
    return None


def as_integer(value: Any) -> int | None:
    """An integer output (numbers truncated toward zero)."""
    number = as_number(value)
    return None if number is None else int(number)


def as_boolean(value: Any) -> bool | None:
    """A boolean output: booleans as is, ``"true"``/``"false"`` text converted."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, (int, float)):
        return bool(value)
    return None
