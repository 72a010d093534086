"""The upstream connection pool: aiohttp's, used directly on the hot path and behind
httpx's client interface where httpx has work to do.

Most exchanges are sent straight on aiohttp's pool (:meth:`ConnectionPool.exchange`): the
request is built here from parts the client prepared at start-up. httpx building each
request was about half of every upstream call in the profile; without it the generated
REST server served about 1.7 times the requests/s on the same pool, side by side.
Exchanges that need httpx's request machinery (a Digest authentication flow, event hooks,
multipart bodies, a transport injected by tests) go through :class:`AiohttpTransport`,
which only moves httpx's bytes on the same pool. Where aiohttp is not installed,
:func:`connection_pool` gives ``None`` and the client uses httpx's own transport, so the
package still runs on the plain stack.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from .errors import UpstreamError
from .exchange import (
    UpstreamResponse,
    answer_headers,
    answered,
    declared_too_large,
    past_deadline,
    too_large,
    transport_failure,
)

try:  # aiohttp is the fast path, never a requirement
    import aiohttp
    from yarl import URL
except ImportError:  # pragma: no cover - exercised where the wheel is missing
    aiohttp = None  # type: ignore[assignment]

_CHUNK = 64 * 1024
_DIRECT_ENCODINGS = "gzip, deflate"
"""What the direct path accepts: the encodings aiohttp decodes without optional wheels."""


class ConnectionPool:
    """aiohttp's pool of at most ``connections`` connections to one API (kept alive for
    ``keepalive`` seconds): no redirects followed, no environment proxies, no cookies, no
    header of aiohttp's own, a request URL sent exactly as given, and no request ever sent
    twice. Created on first use, as an aiohttp session belongs to the running event loop.
    """

    def __init__(self, connections: int, keepalive: float = 15.0) -> None:
        self._connections = connections
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None
        self.headers: dict[str, str] = {}
        """Headers of every request, unless it sends its own of the same name (set
        before the first request: the session is made with them)."""

    def session(self) -> aiohttp.ClientSession:
        """The session of the running event loop's pool."""
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                limit_per_host=self._connections,
                keepalive_timeout=self._keepalive,
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers=self.headers,
                auto_decompress=False,
                trust_env=False,
                # no skip_auto_headers here: aiohttp would copy every request's headers
                # to apply them. Every request carries the Accept, Accept-Encoding and
                # User-Agent it means to send (httpx's own, or :attr:`headers`), and a
                # bodiless one says it has no Content-Type (_skipped_headers)
                cookie_jar=aiohttp.DummyCookieJar(),
            )
            # aiohttp resends an idempotent request once when a kept-alive connection
            # drops; httpx never does, and a call must reach the upstream at most once
            # (tests/e2e/test_proxy_faults.py). No public switch exists for this.
            self._session._retry_connection = False
        return self._session

    async def exchange(
        self,
        names: tuple[str, str],
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        body: bytes | None,
        timeout: aiohttp.ClientTimeout,
        max_bytes: int,
    ) -> UpstreamResponse:
        """Send one request to ``url`` (already encoded), with :attr:`headers` and its
        own ``headers``, and read at most ``max_bytes`` of its decoded answer, all within
        ``timeout.total`` s (aiohttp keeps that deadline at no extra cost); ``names``
        (namespace, operation) name it in errors, which are those of the httpx path
        (:func:`exchange.exchange`)."""
        try:
            response = await self.session().request(
                method,
                URL(url, encoded=True),
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=timeout,
                compress=None,
                auto_decompress=True,
                skip_auto_headers=_skipped_headers(method, headers),
            )
        except aiohttp.ClientConnectorError:
            raise _failure(names, "ConnectError", reached=False) from None
        except (aiohttp.ConnectionTimeoutError, aiohttp.SocketTimeoutError):
            raise _failure(names, "ReadTimeout", reached=False) from None
        except TimeoutError:  # the whole exchange's deadline
            raise past_deadline(*names, timeout.total or 0) from None
        except aiohttp.ClientError:
            raise _failure(names, "RemoteProtocolError", reached=False) from None
        try:
            content = await _read(response, names, max_bytes)
        except aiohttp.SocketTimeoutError:
            raise _failure(names, "ReadTimeout", reached=True) from None
        except TimeoutError:
            raise past_deadline(*names, timeout.total or 0) from None
        except aiohttp.ClientError:
            raise _failure(names, "ReadError", reached=True) from None
        finally:
            response.release()
        content_type, forwarded = answer_headers(response.raw_headers)
        return answered(
            UpstreamResponse(
                namespace=names[0],
                operation=names[1],
                status=response.status,
                content_type=content_type,
                content=content,
                headers=forwarded,
            )
        )

    async def aclose(self) -> None:
        """Close the pool (idempotent)."""
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _read(
    response: aiohttp.ClientResponse, names: tuple[str, str], max_bytes: int
) -> bytes:
    """The decoded body, at most ``max_bytes`` of it, read at once when its declared
    length is all it can be (not compressed) and in chunks counted as they come
    otherwise."""
    if declared_too_large(response.headers, max_bytes):
        raise too_large(*names, max_bytes)
    if (
        response.content_length is not None
        and "Content-Encoding" not in response.headers
    ):
        # the declared length bounds it (a HEAD answer or a 204 has no body at all)
        return await response.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise too_large(*names, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def direct_headers(defaults: httpx.Headers) -> dict[str, str]:
    """The headers every direct request starts from (:attr:`ConnectionPool.headers`): the
    httpx client's own (its defaults and the API's static headers), accepting only the
    encodings aiohttp decodes."""
    headers = dict(defaults.items())
    headers["accept-encoding"] = _DIRECT_ENCODINGS
    return headers


_SENDS_A_TYPE = frozenset({"POST", "PUT", "PATCH"})
"""The methods aiohttp gives a Content-Type of its own (``application/octet-stream``)."""


def _skipped_headers(
    method: str, headers: Mapping[str, str] | None
) -> tuple[str, ...] | None:
    """Content-Type, for a request aiohttp would give one it does not carry; else
    ``None``, which keeps aiohttp on its fast path."""
    if method not in _SENDS_A_TYPE:
        return None
    if headers and any(name.lower() == "content-type" for name in headers):
        return None
    return ("Content-Type",)


def _failure(names: tuple[str, str], kind: str, *, reached: bool) -> UpstreamError:
    reason = (
        "the upstream connection failed"
        if reached
        else "the upstream API could not be reached"
    )
    return transport_failure(*names, kind, reason)


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
    """Send httpx requests on a :class:`ConnectionPool`: no body decoded (httpx decodes),
    the request URL sent exactly as httpx encoded it."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

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
            response = await self._pool.session().request(
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
                skip_auto_headers=_skipped_headers(request.method, request.headers),
            )
        except aiohttp.ClientConnectorError as error:
            raise httpx.ConnectError(str(error), request=request) from error
        except TimeoutError as error:  # aiohttp.ServerTimeoutError is one
            raise httpx.ReadTimeout(str(error), request=request) from error
        except aiohttp.ClientError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from error
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=_Body(response),
            request=request,
        )

    async def aclose(self) -> None:
        """Close the pool."""
        await self._pool.aclose()


def connection_pool(connections: int) -> ConnectionPool | None:
    """aiohttp's pool of up to ``connections`` kept-alive connections, or ``None`` where
    aiohttp is not installed."""
    return ConnectionPool(connections) if aiohttp is not None else None


def pooled_transport(
    connections: int, pool: ConnectionPool | None = None
) -> httpx.AsyncBaseTransport:
    """The httpx transport on ``pool`` (a new one of ``connections`` connections when not
    given), or httpx's own with the same pool size where aiohttp is not installed."""
    pool = pool or connection_pool(connections)
    if pool is not None:
        return AiohttpTransport(pool)
    return httpx.AsyncHTTPTransport(
        limits=httpx.Limits(
            max_connections=connections, max_keepalive_connections=connections
        ),
        trust_env=False,
    )
