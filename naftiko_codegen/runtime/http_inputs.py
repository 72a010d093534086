"""REST inputs read from the query string, headers and cookies, converted to their types."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from .errors import InputError


def coerce(value: str, type_: str, field: str, location: str) -> Any:
    """Convert the text of a query, header or cookie input to its declared type."""
    try:
        if type_ == "integer":
            return int(value)
        if type_ == "number":
            return float(value)
        if type_ == "boolean":
            lowered = value.lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return lowered in ("true", "1")
        if type_ in ("array", "object"):
            parsed = json.loads(value)
            if not isinstance(parsed, list if type_ == "array" else dict):
                raise ValueError(value)
            return parsed
    except ValueError:
        raise InputError(field, location, f"expected {type_}, got {value!r}") from None
    return value


def _required(
    value: str | None, field: str, location: str, required: bool
) -> str | None:
    if value is None and required:
        raise InputError(field, location, "is required")
    return value


def query_input(request: Request, name: str, type_: str, *, required: bool) -> Any:
    """A typed query-string input (``None`` when absent and optional)."""
    if type_ == "array":
        values = request.query_params.getlist(name)
        _required(values[0] if values else None, name, "query", required)
        return values or None
    value = _required(request.query_params.get(name), name, "query", required)
    return None if value is None else coerce(value, type_, name, "query")


def header_input(request: Request, name: str, type_: str, *, required: bool) -> Any:
    """A typed header input (``None`` when absent and optional)."""
    value = _required(request.headers.get(name), name, "header", required)
    return None if value is None else coerce(value, type_, name, "header")


def cookie_input(request: Request, name: str, type_: str, *, required: bool) -> Any:
    """A typed cookie input (``None`` when absent and optional)."""
    value = _required(request.cookies.get(name), name, "cookie", required)
    return None if value is None else coerce(value, type_, name, "cookie")
