"""MCP tool results and arguments (mcp_results, mcp_binary, mcp_shaped, mcp_arguments)."""

from __future__ import annotations

import base64
from typing import Any

import mcp_types as types
import pytest

from naftiko_codegen.runtime.exchange import UpstreamResponse
from naftiko_codegen.runtime.mcp_arguments import body_argument, query_argument
from naftiko_codegen.runtime.mcp_binary import binary_result
from naftiko_codegen.runtime.mcp_results import tool_error, tool_result, value_result
from naftiko_codegen.runtime.mcp_shaped import shaped_result
from naftiko_codegen.runtime.text_decoders import decode_csv


def upstream(
    content: bytes, status: int = 200, content_type: str = "application/json"
) -> UpstreamResponse:
    return UpstreamResponse("api", "op", status, content_type, content)


def text_of(result: types.CallToolResult) -> str:
    item = result.content[0]
    assert isinstance(item, types.TextContent)
    return item.text


def test_tool_error_is_flagged() -> None:
    result = tool_error("nope")
    assert result.is_error and text_of(result) == "nope"


def test_upstream_errors_become_tool_errors_with_the_upstream_text() -> None:
    result = tool_result(upstream(b'{"message": "quota"}', 429), structured=True)
    assert result.is_error
    assert text_of(result) == "api.op failed: upstream answered HTTP 429: quota"


@pytest.mark.parametrize(
    ("content", "structured", "expected"),
    [
        (b'{"a": 1}', False, {"a": 1}),
        (b"[1, 2]", False, {"result": [1, 2]}),
        (b"", False, {}),
        (b"plain", True, {"result": "plain"}),
        (b"plain", False, None),
    ],
)
def test_tool_result_structured_content(content: bytes, structured: bool, expected: Any) -> None:
    result = tool_result(upstream(content), structured=structured)
    assert not result.is_error
    assert text_of(result) == content.decode()
    assert result.structured_content == expected


def test_value_result_wraps_when_the_schema_says_so() -> None:
    assert value_result([1], wrap=True).structured_content == {"result": [1]}
    assert value_result({"a": "é"}, wrap=False).structured_content == {"a": "é"}
    assert text_of(value_result({"a": "é"}, wrap=False)) == '{"a": "é"}'


@pytest.mark.parametrize(
    ("media", "kind"),
    [
        ("image/png", types.ImageContent),
        ("audio/wav; x=1", types.AudioContent),
        ("application/pdf", types.EmbeddedResource),
        ("", types.EmbeddedResource),
    ],
)
def test_binary_results_carry_base64_with_their_media_type(media: str, kind: type) -> None:
    result = binary_result(upstream(b"\x00\x01", content_type=media))
    item = result.content[0]
    assert isinstance(item, kind)
    if isinstance(item, types.EmbeddedResource):
        assert isinstance(item.resource, types.BlobResourceContents)
        assert item.resource.blob == base64.b64encode(b"\x00\x01").decode()
        assert str(item.resource.uri) == "upstream://api/op"
    else:
        assert item.data == base64.b64encode(b"\x00\x01").decode()
    assert binary_result(upstream(b"x", 500, "text/plain")).is_error


def test_shaped_result_decodes_then_shapes() -> None:
    def first(rows: Any) -> Any:
        return rows[0]

    result = shaped_result(
        upstream(b"a,b\n1,2\n", content_type="text/csv"), first, wrap=False, decode=decode_csv
    )
    assert result.structured_content == {"a": "1", "b": "2"}
    failed = shaped_result(upstream(b"<html>", content_type="text/html"), first, wrap=False)
    assert failed.is_error and "text/html that cannot be decoded" in text_of(failed)
    assert shaped_result(upstream(b"down", 502, "text/plain"), first, wrap=True).is_error


def test_query_and_body_arguments() -> None:
    assert query_argument({"query": {"limit": 5, "tag": ["a", "b"], "skip": None}}) == [
        ("limit", "5"),
        ("tag", "a"),
        ("tag", "b"),
    ]
    assert query_argument({"query": "not an object"}) == []
    assert query_argument({}) == []
    assert body_argument({"body": {"name": "é"}}) == '{"name":"é"}'.encode()
    assert body_argument({}) is None
