"""The optional ``query`` and ``body`` arguments of MCP tools, as the upstream call takes them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .wire import QueryItems, encode_json, query_items


def query_argument(args: Mapping[str, Any]) -> QueryItems:
    """The pairs of a tool's optional ``query`` argument."""
    query = args.get("query")
    return query_items(query.items()) if isinstance(query, Mapping) else []


def body_argument(args: Mapping[str, Any]) -> bytes | None:
    """A tool's optional ``body`` argument, encoded as the JSON request body."""
    return encode_json(args["body"]) if "body" in args else None
