"""Clients of the consumed APIs: one class per API, one method per operation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx

from .config import Settings
from .exchange import UpstreamResponse, exchange
from .log_masking import mask_secrets_in_logs
from .wire import header_items, segment


class MockApiClient:
    """Client of the consumed API mock-api."""

    namespace = "mock-api"

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(
            base_url=settings.mock_api_base_url,
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout
            ),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

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
    ) -> UpstreamResponse:
        # header names are case-insensitive: a forwarded "content-type" counts
        if body is not None and all(name.lower() != "content-type" for name in headers):
            headers["Content-Type"] = body_type
        request = self._http.build_request(
            method, path, params=tuple(query), headers=headers, content=body
        )
        settings = self.settings
        return await exchange(
            self._http,
            self.namespace,
            operation,
            request,
            settings.max_response_bytes,
            settings.total_timeout,
        )

    async def query_db(
        self,
        *,
        datasource_id: str,
        content_type: str | None = None,
        extra_query: Iterable[tuple[str, str]] = (),
        body: bytes | None = None,
        body_type: str = "application/json",
    ) -> UpstreamResponse:
        """POST databases/{{datasource_id}}/query"""
        path = "databases/" + segment(datasource_id) + "/query"
        query = list(extra_query)
        headers = header_items(
            [
                ("Content-Type", content_type),
            ]
        )
        return await self._send(
            "query-db", "POST", path, query, headers, body, body_type
        )


@dataclass(frozen=True)
class Upstreams:
    """The clients of every consumed API, opened and closed together."""

    mock_api: MockApiClient

    @classmethod
    def open(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> Upstreams:
        """Create every client (connections are made on first use)."""
        mask_secrets_in_logs(settings.secrets.values())
        return cls(
            mock_api=MockApiClient(settings, transport),
        )

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
        """Close every client."""
        await self.mock_api.aclose()
