"""Upstream answers decoded into JSON-like data before a declared output is built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .exchange import UpstreamResponse

Decoder = Callable[[UpstreamResponse], Any]
"""Turns an upstream answer into JSON-like data (``ValueError`` when it cannot)."""


def decode_json(upstream: UpstreamResponse) -> Any:
    """A JSON answer."""
    return upstream.json()
