"""JSON decoding in the hot path: orjson where it is installed, the standard library's
``json`` otherwise and for what orjson decodes differently, so what is accepted, and the
values decoded, never change."""

from __future__ import annotations

import json
import re
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - exercised where the wheel is missing
    orjson = None  # type: ignore[assignment]

_LONG_NUMBER = re.compile(rb"\d{19}")
"""19 digits in a row may be an integer beyond 64 bits, which orjson turns into a float
(losing digits) while ``json`` keeps it exact."""


def loads(content: bytes | str) -> Any:
    """The decoded JSON document; raises ``ValueError`` (``json``'s message) when it is not
    JSON. orjson decodes the common case; a document it refuses (``NaN``) or might decode
    inexactly (long integers) is decoded by ``json``, which also words any error."""
    if orjson is not None:
        data = content.encode() if isinstance(content, str) else content
        if _LONG_NUMBER.search(data) is None:
            try:
                return orjson.loads(data)
            except ValueError:
                pass
    return json.loads(content)
