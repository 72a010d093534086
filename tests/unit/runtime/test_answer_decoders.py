"""Answers in html, markdown, avro and protobuf decoded for output shaping (html_decoder,
markdown_decoder, avro_decoder, protobuf_decoder, answer_schemas)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastavro
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from naftiko_codegen.lowering.answer_formats import avro_schema, protobuf_schema
from naftiko_codegen.lowering.files import FileProblem
from naftiko_codegen.runtime import answer_schemas, avro_decoder, protobuf_decoder
from naftiko_codegen.runtime.exchange import UpstreamResponse
from naftiko_codegen.runtime.html_decoder import html_decoder
from naftiko_codegen.runtime.markdown_decoder import markdown_decoder

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "formats" / "schemas"
RECORDS = {
    "records": [
        {"id": "1", "title": "First", "description": None},
        {"id": "2", "title": "Second", "description": "the second"},
    ]
}


def answer(content: str | bytes) -> UpstreamResponse:
    data = content.encode() if isinstance(content, str) else content
    return UpstreamResponse("api", "get", 200, "", data)


# --- html ------------------------------------------------------------------------------


def test_html_tables_become_rows_keyed_by_their_header_cells() -> None:
    decoded = html_decoder()(answer((SCHEMAS / "sample-products.html").read_bytes()))
    assert decoded == {
        "tables": [
            [
                {"Name": "Widget", "Price": "$42", "Stock": "150"},
                {"Name": "Gadget", "Price": "$99", "Stock": "30"},
            ]
        ]
    }


def test_html_selector_scopes_the_tables() -> None:
    page = (
        "<table id='a'><tr><th>x</th></tr><tr><td>1</td></tr></table>"
        "<div class='keep'><table><tr><th>y</th><th>z</th></tr>"
        "<tr><td> two\n words </td></tr><tr><th>y</th><td>skipped header row</td></tr>"
        "</table></div>"
    )
    assert html_decoder("div.keep")(answer(page)) == {"tables": [[{"y": "two words", "z": ""}]]}
    assert html_decoder("#a")(answer(page)) == {"tables": [[{"x": "1"}]]}
    assert html_decoder("p.none")(answer(page)) == {"tables": []}
    assert len(html_decoder()(answer(page))["tables"]) == 2


def test_html_tables_without_header_cells_are_left_out() -> None:
    page = "<table><tr><td>a</td></tr></table><p>not a table</p>"
    assert html_decoder()(answer(page)) == {"tables": []}
    assert html_decoder()(answer("not html at all")) == {"tables": []}


# --- markdown --------------------------------------------------------------------------


def test_markdown_front_matter_tables_and_sections() -> None:
    decoded = markdown_decoder()(answer((SCHEMAS / "sample-readme.md").read_bytes()))
    assert decoded == {
        "frontMatter": {"title": "Product Release Notes", "version": "2.1.0"},
        "tables": [
            [
                {"Feature": "HTML support", "Status": "GA"},
                {"Feature": "Markdown support", "Status": "Beta"},
            ]
        ],
        "sections": [
            {
                "heading": "Overview",
                "level": 2,
                "content": "This release introduces table extraction for markdown.",
            }
        ],
    }


def test_markdown_heading_prefix_filters_the_sections() -> None:
    text = (
        "---\r\nreleased: 2026-04-02\r\n---\r\n# API v1\r\nold `code`\r\n\r\n"
        "- a\r\n- b\r\n## API v2\r\nnew\r\nline\r\n# Other\r\n| a | b |\r\n|---|---|\r\n| 1 |\r\n"
    )
    decoded = markdown_decoder("API")(answer(text))
    assert decoded["frontMatter"] == {"released": "2026-04-02"}
    assert decoded["sections"] == [
        {"heading": "API v1", "level": 1, "content": "old code\na\nb"},
        {"heading": "API v2", "level": 2, "content": "new line"},
    ]
    assert decoded["tables"] == [[{"a": "1", "b": ""}]]
    assert [s["heading"] for s in markdown_decoder()(answer(text))["sections"]][-1] == "Other"


def test_markdown_without_front_matter_and_with_bad_front_matter() -> None:
    assert markdown_decoder()(answer("plain text"))["frontMatter"] == {}
    assert markdown_decoder()(answer("---\nnot closed\n"))["frontMatter"] == {}
    with pytest.raises(ValueError, match="invalid YAML front matter"):
        markdown_decoder()(answer("---\na: [\n---\nbody\n"))


# --- avro ------------------------------------------------------------------------------


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The package's ``answer_schemas.json``, as the tests fill it."""
    schemas: dict[str, Any] = {}
    monkeypatch.setattr(answer_schemas, "answer_schemas", lambda: schemas)
    yield schemas
    avro_decoder.avro_decoder.cache_clear()
    protobuf_decoder.protobuf_decoder.cache_clear()


def test_avro_datum_is_decoded_with_the_embedded_schema(embedded: dict[str, Any]) -> None:
    schema = avro_schema((SCHEMAS / "test-records.avsc").read_bytes())
    embedded["schemas/test-records.avsc"] = schema
    stream = io.BytesIO()
    fastavro.schemaless_writer(stream, fastavro.parse_schema(schema), RECORDS)
    decode = avro_decoder.avro_decoder("schemas/test-records.avsc")
    assert decode(answer(stream.getvalue())) == RECORDS
    with pytest.raises(ValueError, match="invalid Avro data"):
        decode(answer(stream.getvalue()[:-3]))
    with pytest.raises(ValueError, match="1 bytes after the datum"):
        decode(answer(stream.getvalue() + b"\x00"))


def test_avro_bytes_and_logical_types_become_json_text(embedded: dict[str, Any]) -> None:
    embedded["x.avsc"] = {
        "type": "record",
        "name": "X",
        "fields": [
            {"name": "blob", "type": "bytes"},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        ],
    }
    stream = io.BytesIO()
    record = {"blob": b"\x00\xff", "day": 20545, "id": "0e3f1c1e-7b5e-4e0a-9c8e-2f0c0b9d1a11"}
    fastavro.schemaless_writer(stream, fastavro.parse_schema(embedded["x.avsc"]), record)
    decoded = avro_decoder.avro_decoder("x.avsc")(answer(stream.getvalue()))
    assert decoded == {"blob": "AP8=", "day": "2026-04-02", "id": record["id"]}
    json.dumps(decoded)


def test_invalid_avro_schemas_are_refused_at_build_time() -> None:
    with pytest.raises(FileProblem, match="not a valid Avro schema"):
        avro_schema(b'{"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}')
    with pytest.raises(FileProblem, match="not a valid Avro schema"):
        avro_schema(b"not json")


# --- protobuf --------------------------------------------------------------------------


def test_proto_is_compiled_and_its_first_message_decoded(embedded: dict[str, Any]) -> None:
    entry = protobuf_schema(SCHEMAS, "test-records.proto")
    assert entry["message"] == "test.records.RecordsList"
    embedded["test-records.proto"] = entry
    pool = descriptor_pool.DescriptorPool()
    files = descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(entry["descriptorSet"]))
    for file in files.file:
        pool.Add(file)
    records = message_factory.GetMessageClass(pool.FindMessageTypeByName(entry["message"]))()
    for item in RECORDS["records"]:
        record = records.records.add(id=item["id"], title=item["title"])
        record.description = item["description"] or ""
    decode = protobuf_decoder.protobuf_decoder("test-records.proto")
    assert decode(answer(records.SerializeToString())) == {
        "records": [
            {"id": "1", "title": "First", "description": ""},
            {"id": "2", "title": "Second", "description": "the second"},
        ]
    }
    with pytest.raises(ValueError, match="invalid test.records.RecordsList message"):
        decode(answer(b"\x0a\x05ab"))


def test_proto3_defaults_enums_and_imports(tmp_path: Path, embedded: dict[str, Any]) -> None:
    (tmp_path / "common.proto").write_text(
        'syntax = "proto3";\npackage c;\nenum Color { RED = 0; BLUE = 1; }\n'
    )
    (tmp_path / "api.proto").write_text(
        'syntax = "proto3";\nimport "common.proto";\nimport "google/protobuf/timestamp.proto";\n'
        "message Item { int64 count = 1; c.Color color = 2; string name = 3;"
        " google.protobuf.Timestamp at = 4; }\n"
    )
    embedded["api.proto"] = entry = protobuf_schema(tmp_path, "api.proto")
    assert entry["message"] == "Item"
    decoded = protobuf_decoder.protobuf_decoder("api.proto")(answer(b"\x08\x07\x10\x01"))
    assert decoded == {"count": "7", "color": "BLUE", "name": ""}


def test_a_proto_that_does_not_compile_is_located(tmp_path: Path) -> None:
    (tmp_path / "bad.proto").write_text('syntax = "proto3";\nmessage X { strin a = 1; }\n')
    compiled = r'^the .proto file does not compile: bad.proto:2:13: "strin" is not defined'
    with pytest.raises(FileProblem, match=compiled):
        protobuf_schema(tmp_path, "bad.proto")
    (tmp_path / "empty.proto").write_text('syntax = "proto3";\n')
    with pytest.raises(FileProblem, match="declares no message type"):
        protobuf_schema(tmp_path, "empty.proto")
