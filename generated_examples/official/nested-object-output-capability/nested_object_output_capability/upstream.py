"""Clients of the consumed APIs: one class per API, one method per operation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from .config import Settings
from .exchange import UpstreamResponse
from .log_masking import mask_secrets_in_logs
from .upstream_client import UpstreamClient, UpstreamGroup
from .wire import segment


class RegistryClient(UpstreamClient):
    """Client of the consumed API registry."""

    namespace = "registry"

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(settings.registry_base_url, settings, transport)

    async def get_ship(
        self,
        *,
        imo_number: str,
        extra_query: Iterable[tuple[str, str]] = (),
    ) -> UpstreamResponse:
        """GET /ships/{{imo_number}}"""
        path = "/ships/" + segment(imo_number)
        query = list(extra_query)
        headers: dict[str, str] = {}
        return await self._send("get-ship", "GET", path, query, headers)


@dataclass(frozen=True)
class Upstreams(UpstreamGroup):
    """The clients of every consumed API, opened and closed together."""

    registry: RegistryClient

    @classmethod
    def open(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> Upstreams:
        """Create every client (connections are made on first use); from now on no log line
        shows a configured secret."""
        mask_secrets_in_logs(settings.secrets.values())
        return cls(
            registry=RegistryClient(settings, transport),
        )
