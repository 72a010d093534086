"""Clients of the consumed APIs: one class per API, one method per operation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from .config import Settings
from .exchange import UpstreamResponse
from .log_masking import mask_secrets_in_logs
from .upstream_client import UpstreamClient, UpstreamGroup
from .wire import header_items, segment


class MockApiClient(UpstreamClient):
    """Client of the consumed API mock-api."""

    namespace = "mock-api"

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(settings.mock_api_base_url, settings, transport)

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
class Upstreams(UpstreamGroup):
    """The clients of every consumed API, opened and closed together."""

    mock_api: MockApiClient

    @classmethod
    def open(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> Upstreams:
        """Create every client (connections are made on first use); from now on no log line
        shows a configured secret."""
        mask_secrets_in_logs(settings.secrets.values())
        return cls(
            mock_api=MockApiClient(settings, transport),
        )
