"""Values of decoded answers that JSON has no type for, as JSON data."""

from __future__ import annotations

import base64
import datetime
import decimal
import uuid
from typing import Any


def json_data(value: Any) -> Any:
    """Decoded data as JSON data: mapping keys as strings, bytes as base64 text, decimals and
    UUIDs as their text, dates and times in ISO 8601."""
    if isinstance(value, dict):
        return {str(key): json_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_data(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value
