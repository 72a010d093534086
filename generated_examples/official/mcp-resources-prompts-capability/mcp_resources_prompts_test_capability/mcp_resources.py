"""The resources of an MCP server: embedded files and resources read from an upstream, by
URI or URI template."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib import resources
from typing import Any

import mcp_types as types
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS

from .errors import UpstreamError
from .exchange import UpstreamResponse, upstream_message

ResourceReader = Callable[..., Awaitable[types.ReadResourceResult]]
"""Reads one resource: the server's context (upstream clients, settings), then the URI and
its match against the resource's pattern."""
FileContents = types.TextResourceContents | types.BlobResourceContents
"""An embedded file, as ``resources/read`` answers it."""


def file_contents(package: str, name: str) -> dict[str, FileContents]:
    """The file resources embedded in ``package`` at build time (the JSON file ``name``),
    by URI."""
    text = resources.files(package).joinpath(name).read_text("utf-8")
    contents: dict[str, FileContents] = {}
    for item in json.loads(text):
        uri, mime_type = item["uri"], item["mimeType"]
        if "text" in item:
            contents[uri] = types.TextResourceContents(
                uri=uri, mime_type=mime_type, text=item["text"]
            )
        else:
            contents[uri] = types.BlobResourceContents(
                uri=uri, mime_type=mime_type, blob=item["blob"]
            )
    return contents


def resource_result(
    uri: str,
    mime_type: str | None,
    upstream: UpstreamResponse,
    shape: Callable[[Any], Any] | None,
) -> types.ReadResourceResult:
    """The contents of a resource; an upstream failure is an MCP error naming it."""
    if upstream.is_error:
        raise MCPError(INTERNAL_ERROR, upstream_message(upstream))
    text = upstream.text()
    if shape is not None:
        try:
            text = json.dumps(shape(upstream.json()), ensure_ascii=False)
        except ValueError:
            raise MCPError(
                INTERNAL_ERROR, f"{uri}: the upstream answer is not JSON"
            ) from None
    mime = mime_type or upstream.content_type.split(";", 1)[0] or None
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)]
    )


class ResourceSet:
    """The resources of a server: those with a fixed URI, the URI templates, how each
    upstream resource is read (by URI pattern) and the embedded files (by URI)."""

    def __init__(
        self,
        resources: Sequence[types.Resource],
        templates: Sequence[types.ResourceTemplate],
        readers: Sequence[tuple[str, ResourceReader]] = (),
        files: Mapping[str, FileContents] | None = None,
    ) -> None:
        self.resources = tuple(resources)
        self.templates = tuple(templates)
        self.readers = [(re.compile(pattern), reader) for pattern, reader in readers]
        self.files = dict(files or {})

    async def read(self, uri: str, *context: Any) -> types.ReadResourceResult:
        """Read the resource ``uri``; an unknown URI is an ``INVALID_PARAMS`` error."""
        contents = self.files.get(uri)
        if contents is not None:
            return types.ReadResourceResult(contents=[contents])
        for pattern, reader in self.readers:
            match = pattern.fullmatch(uri)
            if match is not None:
                try:
                    return await reader(*context, uri, match)
                except UpstreamError as error:
                    raise MCPError(
                        INTERNAL_ERROR,
                        f"{error.namespace}.{error.operation} failed: {error.detail}",
                    ) from None
        raise MCPError(INVALID_PARAMS, f"Unknown resource {uri!r}")
