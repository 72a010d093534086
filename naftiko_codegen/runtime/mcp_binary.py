"""MCP tool results for binary upstream answers: images, audio, or an embedded blob."""

from __future__ import annotations

import base64
from urllib.parse import quote

import mcp_types as types

from .exchange import UpstreamResponse, upstream_message
from .mcp_results import tool_error


def binary_result(upstream: UpstreamResponse) -> types.CallToolResult:
    """The upstream bytes as one content item, base64-encoded with their media type: an
    image or audio item for those types, else an embedded blob."""
    if upstream.is_error:
        return tool_error(upstream_message(upstream))
    media = upstream.content_type.split(";", 1)[0].strip() or "application/octet-stream"
    data = base64.b64encode(upstream.content).decode("ascii")
    item: types.ContentBlock
    if media.startswith("image/"):
        item = types.ImageContent(type="image", data=data, mime_type=media)
    elif media.startswith("audio/"):
        item = types.AudioContent(type="audio", data=data, mime_type=media)
    else:
        uri = f"upstream://{quote(upstream.namespace, safe='')}/{quote(upstream.operation)}"
        item = types.EmbeddedResource(
            type="resource",
            resource=types.BlobResourceContents(uri=uri, mime_type=media, blob=data),
        )
    return types.CallToolResult(content=[item])
