"""The size of MCP tool answers: the part a JSONPath selects, and the server's cap.

An agent that needs one field of a 10 kB answer names it with the tool's projection
argument (a JSONPath, RFC 9535) and gets only the matched values; an answer still over the
server's limit is cut, with a note saying how to ask for less. Both partial answers keep
the structured content conforming to the tool's ``outputSchema``: ``{"matches": [...]}``
and ``{"truncated": "<note>"}`` are the shapes the compiler's output schemas accept.
"""

from __future__ import annotations

import functools
import json

import mcp_types as types
from jsonpath import CompoundJSONPath, JSONPath, JSONPathEnvironment, JSONPathError

from .mcp_results import tool_error

_JSONPATH = JSONPathEnvironment(strict=True)
"""RFC 9535 JSONPath, without the library's extensions."""


@functools.lru_cache(maxsize=256)
def _compiled(path: str) -> JSONPath | CompoundJSONPath:
    return _JSONPATH.compile(path)


def projection_error(path: str, argument: str) -> types.CallToolResult | None:
    """The error result refusing ``path`` when it is no JSONPath (checked before any
    upstream call), else ``None``."""
    try:
        _compiled(path)
    except JSONPathError as error:
        first = str(error).splitlines()[0]
        return tool_error(
            f"Invalid argument {argument!r}: {path!r} is not a JSONPath ({first}); "
            "write it like `$.name` or `$.items[*].id`."
        )
    return None


def projected(
    result: types.CallToolResult, path: str, argument: str
) -> types.CallToolResult:
    """``result`` reduced to the values the JSONPath ``path`` (checked by
    :func:`projection_error`) selects from its JSON answer, as ``{"matches": [...]}``; an
    error result naming ``argument`` when the answer is not JSON. Error results pass
    unchanged."""
    if result.is_error:
        return result
    text = _text_of(result)
    try:
        document = json.loads(text) if text is not None else None
    except ValueError:
        document = None
    if document is None:
        return tool_error(
            f"Argument {argument!r} selects from a JSON answer, and this answer is not "
            "JSON; call again without it."
        )
    matches = [match.obj for match in _compiled(path).finditer(document)]
    return types.CallToolResult(
        content=[
            types.TextContent(type="text", text=json.dumps(matches, ensure_ascii=False))
        ],
        structured_content={"matches": matches},
    )


def capped(
    result: types.CallToolResult, limit: int, argument: str | None
) -> types.CallToolResult:
    """``result`` when its text fits in ``limit`` bytes; else its text cut there, with a
    note saying how to narrow the request (``argument``: the tool's projection argument,
    ``None`` when it has none), and the note as the structured content (none on an error
    result); other blocks (images, blobs) are kept. A ``limit`` of 0: no cap."""
    texts = [
        block.text for block in result.content if isinstance(block, types.TextContent)
    ]
    size = sum(len(text.encode("utf-8")) for text in texts)
    if limit <= 0 or size <= limit:
        return result
    note = (
        f"[answer truncated: {size} bytes, over this server's limit of {limit}. "
        + (
            f"Call again with the argument {argument!r}, a JSONPath selecting only what "
            "you need (for example `$.name` or `$.items[0:10]`)."
            if argument is not None
            else "Call again with arguments that narrow the request (filters, a smaller "
            "page)."
        )
        + "]"
    )
    kept = "\n".join(texts).encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    others = [b for b in result.content if not isinstance(b, types.TextContent)]
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"{kept}\n{note}"), *others],
        structured_content=None if result.is_error else {"truncated": note},
        is_error=result.is_error,
    )


def _text_of(result: types.CallToolResult) -> str | None:
    """The answer's text, when it is one text block."""
    blocks = result.content
    if len(blocks) == 1 and isinstance(blocks[0], types.TextContent):
        return blocks[0].text
    return None
