"""Helpers for the runtime modules' unit tests: starlette requests built from raw parts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request


def make_request(
    path: str = "/",
    *,
    raw_path: bytes | None = None,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    path_params: dict[str, str] | None = None,
) -> Request:
    """A starlette request as the server would hand it to a handler."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST" if body else "GET",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "path_params": path_params or {},
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    reader: Callable[[], Awaitable[dict[str, Any]]] = receive
    return Request(scope, reader)
