"""MCP tool results: upstream answers and computed values, failures flagged for the model.

Kept apart from the REST helpers so that a process serving only REST never imports the
MCP types.
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types

from .exchange import UpstreamResponse, upstream_message


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
