"""REST request bodies: checked to be JSON, forwarded as sent or decoded."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from .errors import InputError
from .fast_json import loads


async def read_json(request: Request) -> tuple[bytes, Any]:
    """The request body and its decoded JSON (``None`` for an empty body); malformed JSON
    is a 400."""
    content = await request.body()
    if not content.strip():
        return content, None
    try:
        return content, loads(content)
    except ValueError as error:
        raise InputError(
            "body", "body", f"the request body is not valid JSON: {error}", 400
        ) from None


async def json_body(request: Request, *, required: bool) -> bytes | None:
    """The request body, checked to be JSON, forwarded byte for byte (``None`` when empty)."""
    content, _ = await read_json(request)
    if not content.strip():
        if required:
            raise InputError("body", "body", "a JSON request body is required")
        return None
    return content


async def json_payload(request: Request) -> Any:
    """The decoded JSON request body (``None`` when empty); malformed JSON is a 400."""
    _, payload = await read_json(request)
    return payload
