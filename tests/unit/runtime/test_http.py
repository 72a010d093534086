"""The REST side: routing, problem answers, passthrough, typed inputs and JSON bodies
(http_app, http_inputs, http_body, http_body_inputs, http_shaped)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from naftiko_codegen.runtime.errors import InputError
from naftiko_codegen.runtime.exchange import UpstreamResponse
from naftiko_codegen.runtime.http_app import (
    passthrough,
    passthrough_query,
    path_value,
    problem_response,
    routing_path,
)
from naftiko_codegen.runtime.http_body import json_body, json_payload
from naftiko_codegen.runtime.http_body_inputs import body_input
from naftiko_codegen.runtime.http_inputs import coerce, cookie_input, header_input, query_input
from naftiko_codegen.runtime.http_shaped import shaped

from .conftest import make_request


@pytest.mark.parametrize(
    ("raw", "routed"),
    [
        (b"/v1/items/a%2Fb", "/v1/items/a%2Fb"),
        (b"/v1/items/a%2fb/c", "/v1/items/a%2Fb/c"),
        (b"/v1/caf%C3%A9", "/v1/café"),
        (b"/v1/100%25", "/v1/100%25"),
        (b"/v1/x?q=%2F", "/v1/x"),
    ],
)
def test_routes_match_the_raw_path_keeping_encoded_slashes(raw: bytes, routed: str) -> None:
    assert routing_path({"type": "http", "path": "ignored", "raw_path": raw}) == routed


def test_without_a_raw_path_the_decoded_path_is_used() -> None:
    assert routing_path({"type": "http", "path": "/plain"}) == "/plain"


def test_path_values_are_decoded_once() -> None:
    request = make_request(path_params={"id": "a%2Fb", "pct": "100%25"})
    assert path_value(request, "id") == "a/b"
    assert path_value(request, "pct") == "100%"


def test_passthrough_keeps_status_type_and_forwarded_headers() -> None:
    upstream = UpstreamResponse(
        "api", "get", 201, "text/csv", b"a,b\n", headers=(("link", "<x>"), ("link", "<y>"))
    )
    response = passthrough(upstream)
    assert (response.status_code, response.body) == (201, b"a,b\n")
    assert response.headers["content-type"] == "text/csv"  # no charset added
    assert response.headers.getlist("link") == ["<x>", "<y>"]


def test_problem_response_is_an_rfc9457_document() -> None:
    response = problem_response(422, "Invalid input", "is required", field="id")
    assert response.status_code == 422
    assert response.media_type == "application/problem+json"
    assert json.loads(response.body) == {
        "type": "about:blank",
        "title": "Invalid input",
        "status": 422,
        "detail": "is required",
        "field": "id",
    }


def test_passthrough_query_keeps_undeclared_pairs_in_order() -> None:
    request = make_request(query="limit=5&tag=a&page=2&tag=b")
    assert passthrough_query(request, ["limit"]) == [("tag", "a"), ("page", "2"), ("tag", "b")]


@pytest.mark.parametrize(
    ("text", "type_", "value"),
    [
        ("7", "integer", 7),
        ("2.5", "number", 2.5),
        ("TRUE", "boolean", True),
        ("0", "boolean", False),
        ('["a"]', "array", ["a"]),
        ('{"a": 1}', "object", {"a": 1}),
        ("free text", "string", "free text"),
    ],
)
def test_coerce_converts_declared_types(text: str, type_: str, value: Any) -> None:
    assert coerce(text, type_, "f", "query") == value


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        ("x", "integer"),
        ("1.5.2", "number"),
        ("yes", "boolean"),
        ('{"a": 1}', "array"),
        ("[1]", "object"),
    ],
)
def test_coerce_refuses_what_is_not_the_declared_type(text: str, type_: str) -> None:
    with pytest.raises(InputError) as raised:
        coerce(text, type_, "limit", "query")
    assert raised.value.field == "limit"
    assert raised.value.message == f"expected {type_}, got {text!r}"


def test_query_header_and_cookie_inputs() -> None:
    request = make_request(
        query="limit=3&tag=a&tag=b", headers={"X-Trace": "on", "Cookie": "session=9"}
    )
    assert query_input(request, "limit", "integer", required=True) == 3
    assert query_input(request, "tag", "array", required=False) == ["a", "b"]
    assert query_input(request, "absent", "string", required=False) is None
    assert header_input(request, "x-trace", "string", required=True) == "on"
    assert cookie_input(request, "session", "integer", required=True) == 9
    for read, name in ((query_input, "absent"), (header_input, "x-absent")):
        with pytest.raises(InputError, match="is required"):
            read(request, name, "string", required=True)
    with pytest.raises(InputError, match="is required"):
        query_input(request, "absent", "array", required=True)


def test_a_forwarded_body_must_be_json() -> None:
    assert asyncio.run(json_body(make_request(body=b'{"a": 1}'), required=True)) == b'{"a": 1}'
    assert asyncio.run(json_body(make_request(body=b"  "), required=False)) is None
    with pytest.raises(InputError) as raised:
        asyncio.run(json_body(make_request(body=b"{oops"), required=False))
    assert raised.value.status == 400
    with pytest.raises(InputError) as raised:
        asyncio.run(json_body(make_request(), required=True))
    assert raised.value.status == 422


def test_body_inputs_are_read_at_their_selector_and_type_checked() -> None:
    payload = asyncio.run(json_payload(make_request(body=b'{"a": {"n": 2, "f": true}}')))
    assert body_input(payload, ("a", "n"), "n", "integer", required=True) == 2
    assert body_input(payload, ("a", "missing"), "m", "string", required=False) is None
    with pytest.raises(InputError, match="expected integer, got bool"):
        body_input(payload, ("a", "f"), "f", "integer", required=True)
    with pytest.raises(InputError, match="is required"):
        body_input(payload, ("b",), "b", "string", required=True)
    assert asyncio.run(json_payload(make_request())) is None


def test_shaped_builds_the_declared_output_or_explains_why_not() -> None:
    def shape(node: Any) -> Any:
        return {"id": node["id"]}

    ok = shaped(
        UpstreamResponse("api", "get", 200, "application/json", b'{"id": 3, "x": 1}'), shape
    )
    assert (ok.status_code, json.loads(ok.body)) == (200, {"id": 3})
    failed = shaped(UpstreamResponse("api", "get", 503, "text/plain", b"down"), shape)
    assert (failed.status_code, failed.body) == (503, b"down")
    garbled = shaped(UpstreamResponse("api", "get", 200, "text/html", b"<html>"), shape)
    assert garbled.status_code == 502
    assert json.loads(garbled.body)["upstream"] == "api.get"
