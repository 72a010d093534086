"""The upstream calls of an orchestrated operation, one step at a time."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from .errors import StepFailed
from .exchange import UpstreamResponse, upstream_message


async def run_step(name: str, call: Awaitable[UpstreamResponse]) -> Any:
    """Run one step; its decoded JSON answer, or :class:`StepFailed`."""
    upstream = await call
    if upstream.is_error:
        raise StepFailed(name, upstream_message(upstream), upstream.status)
    try:
        return upstream.json() if upstream.content.strip() else None
    except ValueError:
        raise StepFailed(name, "the answer is not JSON", 502) from None
