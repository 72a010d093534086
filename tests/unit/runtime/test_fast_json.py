"""Hot-path JSON decoding (fast_json): orjson's speed, the standard library's acceptance."""

from __future__ import annotations

import json
import math

import pytest

from naftiko_codegen.runtime import fast_json
from naftiko_codegen.runtime.fast_json import loads


def test_documents_decode_as_the_standard_library_decodes_them() -> None:
    for text in (
        '{"a": [1, 2.5, "é", null, true]}',
        "[]",
        '"x"',
        "12345678901234567890123",
        "-9223372036854775809",
    ):
        assert loads(text) == json.loads(text)
        assert loads(text.encode()) == json.loads(text)


def test_what_orjson_refuses_the_standard_library_still_accepts() -> None:
    assert math.isnan(loads("NaN"))
    assert loads('{"n": Infinity}') == {"n": math.inf}


def test_invalid_json_is_a_value_error_worded_by_json() -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(b"{oops")
    with pytest.raises(json.JSONDecodeError) as raised:
        loads(b"{oops")
    assert str(raised.value) == str(expected.value)


def test_without_orjson_the_standard_library_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_json, "orjson", None)
    assert loads(b'{"a": 1}') == {"a": 1}
