"""Reading and coercing JSON values (naftiko_codegen/runtime/values.py)."""

from __future__ import annotations

from typing import Any

import pytest

from naftiko_codegen.runtime.values import (
    as_boolean,
    as_integer,
    as_list,
    as_number,
    as_string,
    dig,
)

DOCUMENT = {"items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2}], "name": "x"}


@pytest.mark.parametrize(
    ("steps", "found"),
    [
        (("name",), "x"),
        (("items", 0, "id"), 1),
        (("items", -1, "id"), 2),
        (("items", 0, "tags", 1), "b"),
        (("items", 5, "id"), None),
        (("items", -3), None),
        (("name", "deeper"), None),
        (("missing", 0), None),
        (("items", "id"), None),
        ((), DOCUMENT),
    ],
)
def test_dig_follows_keys_and_indices_or_answers_none(
    steps: tuple[str | int, ...], found: Any
) -> None:
    assert dig(DOCUMENT, *steps) == found


def test_as_list() -> None:
    assert as_list(None) == []
    assert as_list([1]) == [1]
    assert as_list({"a": 1}) == [{"a": 1}]


@pytest.mark.parametrize(
    ("value", "text"),
    [("t", "t"), (None, None), (3, "3"), (1.5, "1.5"), (True, "true"), ({"é": 1}, '{"é": 1}')],
)
def test_as_string(value: Any, text: str | None) -> None:
    assert as_string(value) == text


@pytest.mark.parametrize(
    ("value", "number"),
    [(3, 3), (2.5, 2.5), ("2", 2), ("2.0", 2.0), ("1e3", 1000), ("x", None), (True, 1), ([], None)],
)
def test_as_number(value: Any, number: float | None) -> None:
    result = as_number(value)
    assert result == number
    assert type(result) is type(number)


def test_as_integer_truncates_toward_zero() -> None:
    assert as_integer("-2.7") == -2
    assert as_integer(3.9) == 3
    assert as_integer("no") is None


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        (True, True),
        ("TRUE", True),
        ("false", False),
        (0, False),
        (2, True),
        ("yes", None),
        (None, None),
    ],
)
def test_as_boolean(value: Any, flag: bool | None) -> None:
    assert as_boolean(value) is flag
