"""Text answers decoded for output shaping: plain text and delimited tables."""

from __future__ import annotations

import csv
import io
from typing import Any

from .exchange import UpstreamResponse


def decode_text(upstream: UpstreamResponse) -> Any:
    """A text answer, as one string."""
    return upstream.text()


def _delimited(upstream: UpstreamResponse, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(upstream.text()), delimiter=delimiter))


def decode_csv(upstream: UpstreamResponse) -> Any:
    """A comma-separated answer as a list of objects keyed by the header row."""
    return _delimited(upstream, ",")


def decode_tsv(upstream: UpstreamResponse) -> Any:
    """A tab-separated answer as a list of objects keyed by the header row."""
    return _delimited(upstream, "\t")


def decode_psv(upstream: UpstreamResponse) -> Any:
    """A pipe-separated answer as a list of objects keyed by the header row."""
    return _delimited(upstream, "|")
