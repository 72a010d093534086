"""The HTTP side of a REST adapter: raw-path routing, problem answers, passthrough."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from .errors import problem
from .exchange import UpstreamResponse

_ENCODED_SLASH = re.compile("%2[Ff]")


def routing_path(scope: Scope) -> str:
    """The request path as routes match it: decoded, except that an encoded ``/`` stays
    ``%2F`` (one segment, as GitLab's ``group%2Fproject`` ids are written) and ``%`` is
    written ``%25``, so that :func:`path_value` decodes every value exactly once."""
    raw = scope.get("raw_path")
    if not raw:
        return str(scope["path"])
    text = raw.decode("utf-8", "replace").split("?", 1)[0]
    return "%2F".join(
        unquote(piece).replace("%", "%25") for piece in _ENCODED_SLASH.split(text)
    )


def path_value(request: Request, name: str) -> str:
    """The value of the path variable ``name``, decoded (``a%2Fb`` → ``a/b``)."""
    return unquote(request.path_params[name])


def passthrough(upstream: UpstreamResponse) -> Response:
    """The upstream answer, unchanged: status, content type (byte for byte, no charset
    added) and body."""
    response = Response(content=upstream.content, status_code=upstream.status)
    for name, value in upstream.headers:
        response.headers.append(name, value)
    if upstream.content_type:
        response.headers["content-type"] = upstream.content_type
    return response


def problem_response(
    status: int, title: str, detail: str, **extra: Any
) -> JSONResponse:
    """An ``application/problem+json`` response."""
    return JSONResponse(
        problem(status, title, detail, **extra),
        status_code=status,
        media_type="application/problem+json",
    )


def passthrough_query(
    request: Request, declared: Iterable[str]
) -> list[tuple[str, str]]:
    """The request's query pairs that no declared input consumes, in their original order."""
    consumed = set(declared)
    return [(k, v) for k, v in request.query_params.multi_items() if k not in consumed]
