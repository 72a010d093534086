"""The client of one consumed API (one connection pool, bounded exchanges, credentials
the caller may not override), and the clients of a package opened and closed together.

An exchange goes the direct way, straight onto aiohttp's pool, unless it needs httpx:
an authentication flow or event hooks on the client, a multipart body, or a transport
given by the caller (tests). Both ways send the same request target
(:func:`wire.request_target`) and fail alike (:mod:`exchange`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self

import httpx

from .errors import InputError
from .exchange import UpstreamResponse, exchange
from .fast_transport import connection_pool, direct_headers, pooled_transport
from .wire import request_target

try:
    from aiohttp import ClientTimeout
except ImportError:  # pragma: no cover - exercised where the wheel is missing
    ClientTimeout = None  # type: ignore[assignment,misc]

MultipartParts = list[tuple[str, tuple[str | None, str, str | None]]]
"""``multipart/form-data`` parts: (name, (filename or None, value, content type or None))."""


class ClientSettings(Protocol):
    """The settings a client reads (the generated ``Settings`` has them)."""

    @property
    def connect_timeout(self) -> float:
        """Seconds to open a connection."""

    @property
    def read_timeout(self) -> float:
        """Seconds to wait for each read."""

    @property
    def total_timeout(self) -> float:
        """Seconds one whole exchange may take."""

    @property
    def max_response_bytes(self) -> int:
        """The largest answer read."""

    @property
    def upstream_connections(self) -> int:
        """Connections kept open to the API, at most."""


class _Closing:
    """Used as ``async with``: closed on exit."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Release what is held."""


class UpstreamClient(_Closing):
    """The client of one consumed API, ``namespace``: the generated subclass adds one
    method per consumed operation. A configured credential (``credential_query``, a query
    parameter, or ``credential_header``, a lower-case header name) wins over one the
    caller passed."""

    namespace = ""
    credential_query: str | None = None
    credential_header: str | None = None

    def __init__(
        self,
        base_url: str,
        settings: ClientSettings,
        transport: httpx.AsyncBaseTransport | None,
        *,
        params: dict[str, str] | None = None,
        **options: Any,
    ) -> None:
        self.max_response_bytes = settings.max_response_bytes
        self.total_timeout = settings.total_timeout
        # query parameters of every request (an API key); sent first, in this order
        self._fixed_query = list((params or {}).items())
        pool = (
            None
            if transport is not None
            else connection_pool(settings.upstream_connections)
        )
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout
            ),
            transport=transport
            or pooled_transport(settings.upstream_connections, pool),
            follow_redirects=False,
            trust_env=False,
            **options,
        )
        hooks = any(self._http.event_hooks.values())
        self._pool = pool if self._http.auth is None and not hooks else None
        if self._pool is not None:
            # what httpx would merge into each request, merged once
            self._base_url = str(self._http.base_url).removesuffix("/")
            self._pool.headers = direct_headers(self._http.headers)
            self._timeout = ClientTimeout(
                total=settings.total_timeout,
                sock_connect=settings.connect_timeout,
                sock_read=settings.read_timeout,
            )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes | None = None,
        body_type: str = "application/json",
        files: MultipartParts | None = None,
        max_bytes: int | None = None,
    ) -> UpstreamResponse:
        """One exchange: ``operation`` names it in errors and logs; ``max_bytes`` is the
        largest answer read (the operation's ``maxBinarySize``, else the setting)."""
        if self.credential_query is not None:
            query = [item for item in query if item[0] != self.credential_query]
        if self.credential_header is not None:
            credential = self.credential_header
            headers = {k: v for k, v in headers.items() if k.lower() != credential}
        # header names are case-insensitive: a forwarded "content-type" counts
        if body is not None and all(name.lower() != "content-type" for name in headers):
            headers["Content-Type"] = body_type
        if self._fixed_query:
            query = self._fixed_query + query
        target = request_target(path, query)
        limit = self.max_response_bytes if max_bytes is None else max_bytes
        if self._pool is not None and files is None:
            for name, value in headers.items():
                if not value.isascii():
                    raise _unsendable(f"header {name!r} is not ASCII")
            url = self._base_url + "/" + target.lstrip("/")
            return await self._pool.exchange(
                (self.namespace, operation),
                method,
                url,
                headers or None,
                body,
                self._timeout,
                limit,
            )
        try:
            request = self._http.build_request(
                method, target, headers=headers, content=body, files=files
            )
        except (httpx.InvalidURL, UnicodeEncodeError) as error:
            # an argument no URL or header can carry (too long, not encodable)
            raise _unsendable(str(error)) from None
        return await exchange(
            self._http, self.namespace, operation, request, limit, self.total_timeout
        )


def _unsendable(reason: str) -> InputError:
    return InputError("arguments", "request", f"cannot be sent upstream: {reason}")


class UpstreamGroup(_Closing):
    """The clients of every consumed API (the generated ``Upstreams`` dataclass, one
    field per API), opened and closed together."""

    async def aclose(self) -> None:
        """Close every client."""
        for client in vars(self).values():
            await client.aclose()
