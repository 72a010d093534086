"""``application/x-www-form-urlencoded`` request bodies."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .wire import to_text


def encode_form(fields: dict[str, Any]) -> bytes:
    """An ``application/x-www-form-urlencoded`` body (``None`` values left out)."""
    pairs = [
        (key, to_text(value)) for key, value in fields.items() if value is not None
    ]
    return urlencode(pairs).encode("ascii")
