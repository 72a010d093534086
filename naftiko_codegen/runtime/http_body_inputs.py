"""REST inputs read from fields of the JSON request body, checked against their types."""

from __future__ import annotations

from typing import Any

from .errors import InputError
from .values import dig

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def body_input(
    payload: Any,
    selector: tuple[str | int, ...],
    name: str,
    type_: str,
    *,
    required: bool,
) -> Any:
    """An input read from the JSON body at ``selector``, checked against its declared type."""
    value = dig(payload, *selector)
    if value is None:
        if required:
            raise InputError(name, "body", "is required")
        return None
    wrong_bool = isinstance(value, bool) and type_ in ("integer", "number")
    if wrong_bool or not isinstance(value, _TYPES[type_]):
        raise InputError(name, "body", f"expected {type_}, got {type(value).__name__}")
    return value
