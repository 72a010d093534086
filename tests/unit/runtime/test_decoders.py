"""Upstream answers decoded for output shaping (decoders, text_decoders, xml_decoder,
yaml_decoder)."""

from __future__ import annotations

import pytest

from naftiko_codegen.runtime.decoders import decode_json
from naftiko_codegen.runtime.exchange import UpstreamResponse
from naftiko_codegen.runtime.text_decoders import decode_csv, decode_psv, decode_text, decode_tsv
from naftiko_codegen.runtime.xml_decoder import decode_xml
from naftiko_codegen.runtime.yaml_decoder import decode_yaml


def answer(content: str | bytes) -> UpstreamResponse:
    data = content.encode() if isinstance(content, str) else content
    return UpstreamResponse("api", "get", 200, "", data)


def test_json_and_text() -> None:
    assert decode_json(answer('{"a": [1]}')) == {"a": [1]}
    with pytest.raises(ValueError):
        decode_json(answer("not json"))
    assert decode_text(answer("plain\ntext")) == "plain\ntext"


@pytest.mark.parametrize(
    ("decode", "text"),
    [
        (decode_csv, "id,name\n1,a\n2,b\n"),
        (decode_tsv, "id\tname\n1\ta\n2\tb\n"),
        (decode_psv, "id|name\n1|a\n2|b\n"),
    ],
    ids=["csv", "tsv", "psv"],
)
def test_delimited_tables_become_objects_keyed_by_the_header(decode: object, text: str) -> None:
    assert callable(decode)
    assert decode(answer(text)) == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]


def test_xml_attributes_text_and_repeated_children() -> None:
    xml = (
        '<order id="7">done<item sku="a">one</item><item sku="b">two</item>'
        "<note>fragile</note></order>"
    )
    assert decode_xml(answer(xml)) == {
        "order": {
            "@id": "7",
            "item": [{"@sku": "a", "#text": "one"}, {"@sku": "b", "#text": "two"}],
            "note": "fragile",
            "#text": "done",
        }
    }
    assert decode_xml(answer("<a><b>1</b></a>")) == {"a": {"b": "1"}}


@pytest.mark.parametrize(
    "xml",
    [
        '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
        "<a><b></a>",
    ],
    ids=["entity", "malformed"],
)
def test_xml_entities_and_malformed_documents_are_refused(xml: str) -> None:
    with pytest.raises(ValueError):
        decode_xml(answer(xml))


def test_yaml_is_loaded_safely() -> None:
    assert decode_yaml(answer("a: [1, 2]\nb: on\n")) == {"a": [1, 2], "b": True}
    for text in ("!!python/object/apply:os.system ['true']", "a: [1"):
        with pytest.raises(ValueError):
            decode_yaml(answer(text))
