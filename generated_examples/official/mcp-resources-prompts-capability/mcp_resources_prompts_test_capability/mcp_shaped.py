"""MCP tool results built in the declared output shape from the decoded upstream answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mcp_types as types

from .decoders import Decoder, decode_json
from .exchange import UpstreamResponse
from .mcp_results import tool_error, tool_result, value_result


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
