"""Values as they go on the wire (naftiko_codegen/runtime/wire.py)."""

from __future__ import annotations

import pytest

from naftiko_codegen.runtime.errors import InputError
from naftiko_codegen.runtime.wire import (
    cookie_header,
    encode_json,
    header_items,
    query_items,
    segment,
    to_text,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (2.5, "2.5"),
        ({"a": [1, 2]}, '{"a":[1,2]}'),
        ([1, "x"], '[1,"x"]'),
    ],
)
def test_to_text_spells_values_as_json_does(value: object, text: str) -> None:
    assert to_text(value) == text


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        (".", "%2E"),
        ("..", "%2E%2E"),
        ("...", "..."),
        ("é ü", "%C3%A9%20%C3%BC"),
        (7, "7"),
    ],
)
def test_segment_encodes_exactly_one_path_segment(value: object, encoded: str) -> None:
    assert segment(value) == encoded


def test_query_items_drop_none_repeat_lists_and_keep_order() -> None:
    pairs = [("a", 1), ("skip", None), ("tag", ["x", "y"]), ("flag", True)]
    assert query_items(pairs, [("extra", "e")]) == [
        ("a", "1"),
        ("tag", "x"),
        ("tag", "y"),
        ("flag", "true"),
        ("extra", "e"),
    ]


def test_header_items_drop_none_and_refuse_injection() -> None:
    assert header_items([("X-A", 1), ("X-B", None)]) == {"X-A": "1"}
    for bad in ("a\r\nSet-Cookie: x", "a\nb", "a\0b"):
        with pytest.raises(InputError) as raised:
            header_items([("X-Bad", bad)])
        assert (raised.value.field, raised.value.location) == ("X-Bad", "header")


def test_cookie_header_joins_the_given_values() -> None:
    assert cookie_header([("a", 1), ("b", None), ("c", "x")]) == "a=1; c=x"
    assert cookie_header([("b", None)]) is None


def test_encode_json_is_compact_utf8() -> None:
    assert encode_json({"name": "é", "n": [1, 2]}) == '{"name":"é","n":[1,2]}'.encode()
