"""REST ``forward`` resources: a path prefix proxied to a consumed API."""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.requests import Request

from .errors import InputError

FORWARD_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
"""The methods a ``forward`` route passes on."""


def forward_path(rest: str) -> str:
    """The forwarded path, every segment percent-encoded again (an encoded ``/`` stays
    inside its segment).

    ``.`` and ``..`` segments (also when the caller encoded them, or hid them behind an
    encoded ``/``) are refused with a 400: an upstream that normalises ``%2E%2E`` or ``%2F``
    would otherwise let the path climb out of the target's base URL.
    """
    parts = [unquote(part) for part in rest.split("/")]
    if any(piece in (".", "..") for part in parts for piece in part.split("/")):
        raise InputError("path", "path", "'.' and '..' segments are not forwarded", 400)
    # empty segments (``a//b``, a trailing ``/``) are the caller's path, kept as sent
    return "/" + "/".join(quote(part, safe="") for part in parts)


def trusted_headers(request: Request, trusted: tuple[str, ...]) -> dict[str, str]:
    """The request headers a ``forward`` may pass on: its ``trustedHeaders`` and the body's
    ``Content-Type``; nothing else (no ``Authorization`` or ``Cookie`` unless trusted).
    """
    names = {"content-type", *(name.lower() for name in trusted)}
    return {
        name: value for name, value in request.headers.items() if name.lower() in names
    }
