"""YAML answers decoded for output shaping (safe loading: plain data only)."""

from __future__ import annotations

from typing import Any

import yaml

from .exchange import UpstreamResponse


def decode_yaml(upstream: UpstreamResponse) -> Any:
    """A YAML answer (safe loading: plain data only)."""
    try:
        return yaml.safe_load(upstream.text())
    except yaml.YAMLError as error:
        raise ValueError(f"invalid YAML: {error}") from None
