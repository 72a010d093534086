"""One exchange with an upstream API: bounded in time and size, failures named."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import UpstreamError
from .fast_json import loads

logger = logging.getLogger(__package__)

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
        return loads(self.content)

    def text(self) -> str:
        """The body as text (undecodable bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")


async def exchange(
    http: httpx.AsyncClient,
    namespace: str,
    operation: str,
    request: httpx.Request,
    max_bytes: int,
    deadline: float,
) -> UpstreamResponse:
    """Send ``request`` with httpx and read at most ``max_bytes`` of the answer within
    ``deadline`` s.

    Connection failures and timeouts become :class:`UpstreamError` (502 and 504); an
    answer larger than ``max_bytes`` is cut off and reported as a 502 without being held
    in memory; an upstream that keeps trickling bytes is cut off at the deadline (504).
    """
    try:
        async with asyncio.timeout(deadline):
            response = await _exchange(http, namespace, operation, request, max_bytes)
    except TimeoutError:
        raise past_deadline(namespace, operation, deadline) from None
    return answered(response)


def answered(response: UpstreamResponse) -> UpstreamResponse:
    """``response``, logged (at debug level) as the answer of its operation."""
    logger.debug("%s.%s -> %s", response.namespace, response.operation, response.status)
    return response


async def _exchange(
    http: httpx.AsyncClient,
    namespace: str,
    operation: str,
    request: httpx.Request,
    max_bytes: int,
) -> UpstreamResponse:
    try:
        response = await http.send(request, stream=True)
    except httpx.HTTPError as error:
        reason = "the upstream API could not be reached"
        raise _failure(error, namespace, operation, reason) from None
    try:
        if declared_too_large(response.headers, max_bytes):
            raise too_large(namespace, operation, max_bytes)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise too_large(namespace, operation, max_bytes)
            chunks.append(chunk)
    except httpx.HTTPError as error:
        reason = "the upstream connection failed"
        raise _failure(error, namespace, operation, reason) from None
    finally:
        await response.aclose()
    content_type, headers = answer_headers(response.headers.raw)
    return UpstreamResponse(
        namespace=namespace,
        operation=operation,
        status=response.status_code,
        content_type=content_type,
        content=b"".join(chunks),
        headers=headers,
    )


def answer_headers(
    raw: Iterable[tuple[bytes, bytes]],
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The content type of an answer and the headers REST passes on
    (``FORWARDED_RESPONSE_HEADERS``, in order, named in lower case), from the raw header
    bytes read as latin-1: a header passed on is the byte string received."""
    content_type = ""
    forwarded: list[tuple[str, str]] = []
    for raw_name, raw_value in raw:
        name = raw_name.decode("latin-1").lower()
        if name == "content-type":
            content_type = raw_value.decode("latin-1")
        elif name in FORWARDED_RESPONSE_HEADERS:
            forwarded.append((name, raw_value.decode("latin-1")))
    return content_type, tuple(forwarded)


def declared_too_large(headers: Mapping[str, str], max_bytes: int) -> bool:
    """Whether an answer's declared ``Content-Length`` (of a body not compressed, which
    is then its whole size) exceeds ``max_bytes``: it is refused before it is read."""
    length = headers.get("content-length", "")
    encoded = headers.get("content-encoding", "identity").lower() != "identity"
    return length.isdigit() and int(length) > max_bytes and not encoded


def past_deadline(namespace: str, operation: str, deadline: float) -> UpstreamError:
    """The 504 of an exchange that took longer than ``deadline`` s in all."""
    detail = f"the upstream API did not finish answering within {deadline:g} s"
    return UpstreamError(namespace, operation, 504, "Upstream timeout", detail)


def too_large(namespace: str, operation: str, max_bytes: int) -> UpstreamError:
    """The 502 of an answer longer than ``max_bytes``."""
    detail = f"the upstream response exceeds the {max_bytes}-byte limit"
    return UpstreamError(
        namespace, operation, 502, "Upstream response too large", detail
    )


def transport_failure(
    namespace: str, operation: str, kind: str, reason: str
) -> UpstreamError:
    """A transport failure named by its (httpx) ``kind``: a timeout is a 504, anything
    else a 502 giving ``reason`` and the kind."""
    if kind.endswith("Timeout"):
        detail = "the upstream API did not answer in time"
        return UpstreamError(namespace, operation, 504, "Upstream timeout", detail)
    detail = f"{reason} ({kind})"
    return UpstreamError(namespace, operation, 502, "Upstream unavailable", detail)


def _failure(
    error: httpx.HTTPError, namespace: str, operation: str, reason: str
) -> UpstreamError:
    # every httpx timeout is a TimeoutException; the name of its class says which one
    timeout = isinstance(error, httpx.TimeoutException)
    kind = "Timeout" if timeout else type(error).__name__
    return transport_failure(namespace, operation, kind, reason)


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
