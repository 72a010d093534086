"""The upstream connection pool: aiohttp's, behind httpx's client interface.

httpx builds the requests (auth flows, event hooks, query encoding) and reads the answers,
as everywhere else in the package; this transport only moves the bytes, on aiohttp's
connection pool, which served about twice the REST requests/s of httpcore's, side by side
(benchmarks/README.md, section rest). Where aiohttp is not installed, :func:`pooled_transport` gives
httpx's own transport with the same pool size, so the package still runs on the plain stack.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

try:  # aiohttp is the fast path, never a requirement
    import aiohttp
    from yarl import URL
except ImportError:  # pragma: no cover - exercised where the wheel is missing
    aiohttp = None  # type: ignore[assignment]

_CHUNK = 64 * 1024


class _Body(httpx.AsyncByteStream):
    """An aiohttp response body read as an httpx stream; closing releases the connection."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk
        except aiohttp.ClientError as error:
            raise httpx.ReadError(str(error)) from error
        except TimeoutError as error:
            raise httpx.ReadTimeout("the upstream stopped answering") from error

    async def aclose(self) -> None:
        """Return the connection to the pool (or drop it when the body was not read)."""
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send httpx requests over one aiohttp pool of at most ``connections`` connections
    (kept alive for ``keepalive`` seconds); no redirects followed, no body decoded (httpx
    decodes), no environment proxies, the request URL sent exactly as httpx encoded it.
    """

    def __init__(self, connections: int, keepalive: float = 15.0) -> None:
        self._connections = connections
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # created on first use: an aiohttp session belongs to the running event loop
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                limit_per_host=self._connections,
                keepalive_timeout=self._keepalive,
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                trust_env=False,
                # httpx sets the headers it means to send; aiohttp adds none of its own
                skip_auto_headers=(
                    "User-Agent",
                    "Accept",
                    "Accept-Encoding",
                    "Content-Type",
                ),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
            # aiohttp resends an idempotent request once when a kept-alive connection
            # drops; httpx never does, and a call must reach the upstream at most once
            # (tests/test_proxy_faults.py). No public switch exists for this.
            self._session._retry_connection = False
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; aiohttp's failures raised as the httpx errors they are."""
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        body = await request.aread()
        try:
            response = await self._open().request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=[
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in request.headers.raw
                    if name.lower() != b"transfer-encoding"  # aiohttp frames the body
                ],
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
                compress=None,
            )
        except aiohttp.ClientConnectorError as error:
            raise httpx.ConnectError(str(error), request=request) from error
        except TimeoutError as error:  # aiohttp.ServerTimeoutError is one
            raise httpx.ReadTimeout(str(error), request=request) from error
        except aiohttp.ClientError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from error
        return httpx.Response(
            response.status,
            headers=[
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in response.raw_headers
            ],
            stream=_Body(response),
            request=request,
        )

    async def aclose(self) -> None:
        """Close the pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def pooled_transport(connections: int) -> httpx.AsyncBaseTransport:
    """The fastest transport installed, pooling up to ``connections`` kept-alive
    connections: aiohttp's when it is installed, else httpx's own."""
    if aiohttp is not None:
        return AiohttpTransport(connections)
    return httpx.AsyncHTTPTransport(
        limits=httpx.Limits(
            max_connections=connections, max_keepalive_connections=connections
        ),
        trust_env=False,
    )
