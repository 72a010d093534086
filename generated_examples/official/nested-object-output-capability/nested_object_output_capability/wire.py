"""Values on the wire: parameter text, path segments, query pairs, headers, JSON bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from .errors import InputError

QueryItems = list[tuple[str, str]]
"""Query-string pairs in the order they are sent."""

MAX_URL_LENGTH = 65536
"""The longest request target sent upstream (httpx's limit too)."""

_URL_PATH_CHARACTERS = "/?!$&'()*+,;=:@%"
"""Characters a path keeps as they are, beside letters, digits and ``-._~`` (RFC 3986)."""
_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9\-._~/?!$&'()*+,;=:@%]|%(?![0-9A-Fa-f]{2})")
_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]*")
"""Text a path segment carries as it is (RFC 3986's unreserved characters)."""
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


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
    text = to_text(value)
    if not _UNRESERVED.fullmatch(text):
        text = quote(text, safe="")
    if not text:
        raise InputError("path", "path", "a path parameter must not be empty")
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return text


def request_target(path: str, query: QueryItems) -> str:
    """The request target of ``path`` (its parameters already encoded by :func:`segment`)
    and ``query``, in order: what a literal part of the path holds that no URL may (a
    space, a letter beyond ASCII, a lone ``%``) percent-encoded, and a ``?`` already in the
    path starting the query. A target no upstream can take is an input error."""
    if _NEEDS_QUOTING.search(path):
        path = quote(_LONE_PERCENT.sub("%25", path), safe=_URL_PATH_CHARACTERS)
    if query:
        path += ("&" if "?" in path else "?") + urlencode(query)
    if len(path) > MAX_URL_LENGTH:
        raise InputError(
            "arguments",
            "request",
            f"cannot be sent upstream: the URL is longer than {MAX_URL_LENGTH} characters",
        )
    return path


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
