"""Values on the wire: parameter text, path segments, query pairs, headers, JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from .errors import InputError

QueryItems = list[tuple[str, str]]
"""Query-string pairs in the order they are sent."""


def to_text(value: object) -> str:
    """The wire text of a parameter value (JSON spelling for booleans and containers).

    ``None`` (an optional input that was not given) is the empty string, as in Mustache.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def segment(value: object) -> str:
    """Percent-encode ``value`` as exactly one path segment (``/``, ``?``, ``#``, ``.`` and
    ``..`` too); an empty value is refused, as it would call another upstream path."""
    text = quote(to_text(value), safe="")
    if not text:
        raise InputError("path", "path", "a path parameter must not be empty")
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return text


def query_items(
    pairs: Iterable[tuple[str, object]], extra: Iterable[tuple[str, str]] = ()
) -> QueryItems:
    """Query pairs with ``None`` values dropped and lists repeated (``a=1&a=2``)."""
    items: QueryItems = []
    for name, value in pairs:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            items.extend((name, to_text(item)) for item in value)
        else:
            items.append((name, to_text(value)))
    items.extend(extra)
    return items


def header_items(pairs: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Header values with ``None`` dropped; CR and LF refused so no header can be injected."""
    headers: dict[str, str] = {}
    for name, value in pairs:
        if value is None:
            continue
        text = to_text(value)
        if "\r" in text or "\n" in text or "\0" in text:
            raise InputError(
                name, "header", "must not contain line breaks or NUL characters"
            )
        headers[name] = text
    return headers


def cookie_header(pairs: Iterable[tuple[str, object]]) -> str | None:
    """One ``Cookie`` header from name/value pairs (``None`` when every value is ``None``)."""
    cookies = [f"{name}={to_text(value)}" for name, value in pairs if value is not None]
    return "; ".join(cookies) or None


def encode_json(value: Any) -> bytes:
    """Serialize a JSON request body."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
