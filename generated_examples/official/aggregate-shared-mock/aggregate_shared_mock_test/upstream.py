"""Clients of the consumed APIs: one class per API, one method per operation."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx

from .config import Settings


@dataclass(frozen=True)
class Upstreams:
    """The clients of every consumed API, opened and closed together."""

    @classmethod
    def open(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> Upstreams:
        """Create every client (connections are made on first use)."""
        return cls()

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
