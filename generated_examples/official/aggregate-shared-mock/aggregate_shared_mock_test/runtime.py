"""Helpers shared by the adapters: upstream exchanges, encodings and errors."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

logger = logging.getLogger(__package__)

QueryItems = list[tuple[str, str]]
"""Query-string pairs in the order they are sent."""


FORWARDED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-disposition",
        "content-language",
        "etag",
        "expires",
        "last-modified",
        "link",
        "location",
        "retry-after",
        "vary",
    }
)
"""Upstream response headers that describe the answer itself and are safe to pass on;
hop-by-hop, cookie and authentication headers never are."""


@dataclass(frozen=True)
class UpstreamResponse:
    """An upstream answer: status, content type and the raw body."""

    namespace: str
    operation: str
    status: int
    content_type: str
    content: bytes
    headers: tuple[tuple[str, str], ...] = ()
    """The upstream's response headers that REST passes on (see ``FORWARDED_RESPONSE_HEADERS``)."""

    @property
    def is_error(self) -> bool:
        """True for HTTP status 400 and above."""
        return self.status >= 400

    @property
    def is_json(self) -> bool:
        """True when the body is declared as JSON (``application/json`` or ``+json``)."""
        media = self.content_type.split(";", 1)[0].strip().lower()
        return media == "application/json" or media.endswith("+json")

    def json(self) -> Any:
        """The decoded JSON body; raises ``ValueError`` when it is not JSON."""
        return json.loads(self.content)

    def text(self) -> str:
        """The body as text (undecodable bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")


class UpstreamError(Exception):
    """The upstream could not be reached, did not answer in time, or answered too much."""

    def __init__(
        self, namespace: str, operation: str, status: int, title: str, detail: str
    ):
        super().__init__(f"{namespace}.{operation}: {detail}")
        self.namespace = namespace
        self.operation = operation
        self.status = status
        self.title = title
        self.detail = detail


class InputError(Exception):
    """A caller's input is missing or invalid."""

    def __init__(self, field: str, location: str, message: str, status: int = 422):
        super().__init__(f"{location} {field!r}: {message}")
        self.field = field
        self.location = location
        self.message = message
        self.status = status


def segment(value: object) -> str:
    """Percent-encode ``value`` as exactly one path segment (``/``, ``?``, ``#``, ``.``/``..`` too)."""
    text = quote(to_text(value), safe="")
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return text


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


async def exchange(
    http: httpx.AsyncClient,
    namespace: str,
    operation: str,
    request: httpx.Request,
    max_bytes: int,
    deadline: float,
) -> UpstreamResponse:
    """Send ``request`` and read at most ``max_bytes`` of the answer within ``deadline`` s.

    Connection failures and timeouts become :class:`UpstreamError` (502 and 504); an
    answer larger than ``max_bytes`` is cut off and reported as a 502 without being held
    in memory; an upstream that keeps trickling bytes is cut off at the deadline (504).
    """
    try:
        async with asyncio.timeout(deadline):
            return await _exchange(http, namespace, operation, request, max_bytes)
    except TimeoutError:
        raise UpstreamError(
            namespace,
            operation,
            504,
            "Upstream timeout",
            f"the upstream API did not finish answering within {deadline:g} s",
        ) from None


async def _exchange(
    http: httpx.AsyncClient,
    namespace: str,
    operation: str,
    request: httpx.Request,
    max_bytes: int,
) -> UpstreamResponse:
    try:
        response = await http.send(request, stream=True)
    except httpx.TimeoutException:
        raise UpstreamError(
            namespace,
            operation,
            504,
            "Upstream timeout",
            "the upstream API did not answer in time",
        ) from None
    except httpx.HTTPError as error:
        raise UpstreamError(
            namespace,
            operation,
            502,
            "Upstream unavailable",
            f"the upstream API could not be reached ({type(error).__name__})",
        ) from None
    try:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise UpstreamError(
                    namespace,
                    operation,
                    502,
                    "Upstream response too large",
                    f"the upstream response exceeds the {max_bytes}-byte limit",
                )
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise UpstreamError(
            namespace,
            operation,
            504,
            "Upstream timeout",
            "the upstream API did not answer in time",
        ) from None
    except httpx.HTTPError as error:
        raise UpstreamError(
            namespace,
            operation,
            502,
            "Upstream unavailable",
            f"the upstream connection failed ({type(error).__name__})",
        ) from None
    finally:
        await response.aclose()
    logger.debug("%s.%s -> %s", namespace, operation, response.status_code)
    return UpstreamResponse(
        namespace=namespace,
        operation=operation,
        status=response.status_code,
        content_type=response.headers.get("content-type", ""),
        content=b"".join(chunks),
        headers=tuple(
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() in FORWARDED_RESPONSE_HEADERS
        ),
    )


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem-details body."""
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }


def upstream_message(response: UpstreamResponse, limit: int = 2000) -> str:
    """A short description of an upstream error answer that a person or a model can act on."""
    detail = response.text().strip()
    if response.is_json:
        try:
            body = response.json()
        except ValueError:
            pass
        else:
            if isinstance(body, Mapping):
                message = body.get("message") or body.get("error") or body.get("detail")
                if isinstance(message, str) and message:
                    detail = message
    if len(detail) > limit:
        detail = detail[:limit] + "…"
    return (
        f"{response.namespace}.{response.operation} failed: upstream answered HTTP "
        f"{response.status}" + (f": {detail}" if detail else "")
    )


# --- REST helpers -------------------------------------------------------------------

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


def passthrough_query(request: Request, declared: Iterable[str]) -> QueryItems:
    """The request's query pairs that no declared input consumes, in their original order."""
    consumed = set(declared)
    return [(k, v) for k, v in request.query_params.multi_items() if k not in consumed]


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
