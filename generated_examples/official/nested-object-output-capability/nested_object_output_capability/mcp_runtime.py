"""Helpers of the MCP adapters: tool results and tool arguments.

Kept apart from ``runtime`` so that a process serving only REST never imports the MCP
types.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import mcp_types as types

from .runtime import QueryItems, UpstreamResponse, query_items, upstream_message
from .values import Decoder, decode_json


def tool_error(message: str) -> types.CallToolResult:
    """A tool result that reports a failure the model can act on."""
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=message)], is_error=True
    )


def tool_result(
    upstream: UpstreamResponse, *, structured: bool
) -> types.CallToolResult:
    """The tool result for an upstream answer: errors flagged, JSON also as structured content."""
    if upstream.is_error:
        return tool_error(upstream_message(upstream))
    text = upstream.text()
    content: list[types.ContentBlock] = [types.TextContent(type="text", text=text)]
    value: Any
    try:
        value = upstream.json() if upstream.content.strip() else {}
    except ValueError:
        if not structured:  # text answers of tools without an output schema stay text
            return types.CallToolResult(content=content)
        value = text
    return types.CallToolResult(
        content=content,
        structured_content=value if isinstance(value, dict) else {"result": value},
    )


def value_result(value: Any, *, wrap: bool) -> types.CallToolResult:
    """A tool result for a computed value: JSON text plus structured content
    (``{"result": value}`` when ``wrap``, as the declared output schema says)."""
    return types.CallToolResult(
        content=[
            types.TextContent(type="text", text=json.dumps(value, ensure_ascii=False))
        ],
        structured_content={"result": value} if wrap else value,
    )


def shaped_result(
    upstream: UpstreamResponse,
    shape: Callable[[Any], Any],
    *,
    wrap: bool,
    decode: Decoder = decode_json,
) -> types.CallToolResult:
    """The declared output built from the decoded answer, as a tool result."""
    if upstream.is_error:
        return tool_result(upstream, structured=False)
    try:
        data = decode(upstream)
    except ValueError as error:
        return tool_error(
            f"{upstream.namespace}.{upstream.operation} answered "
            f"{upstream.content_type or 'without a content type'} that cannot be decoded "
            f"({error}); the declared output cannot be built from it."
        )
    return value_result(shape(data), wrap=wrap)


def query_argument(args: Mapping[str, Any]) -> QueryItems:
    """The pairs of a tool's optional ``query`` argument."""
    query = args.get("query")
    return query_items(query.items()) if isinstance(query, Mapping) else []
