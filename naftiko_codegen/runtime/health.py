"""Readiness of the consumed APIs, as the control port's health check sees it."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit


async def reachable(url: str, timeout: float) -> bool:
    """True when a TCP connection to the URL's host and port opens within ``timeout``."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, port), timeout
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
