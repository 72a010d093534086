"""Clients of the consumed APIs: one class per API, one method per operation."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from .config import Settings
from .log_masking import mask_secrets_in_logs
from .upstream_client import UpstreamGroup


@dataclass(frozen=True)
class Upstreams(UpstreamGroup):
    """The clients of every consumed API, opened and closed together."""

    @classmethod
    def open(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> Upstreams:
        """Create every client (connections are made on first use); from now on no log line
        shows a configured secret."""
        mask_secrets_in_logs(settings.secrets.values())
        return cls()
