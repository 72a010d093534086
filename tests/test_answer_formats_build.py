"""Build-time reading of ``outputSchema``: selectors checked, schema files read, compiled and
embedded, every problem located at the operation's ``outputSchema``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from naftiko_codegen.diagnostics import CompilationFailed, Severity
from naftiko_codegen.pipeline import compile_spec

from .conftest import DATA

SCHEMAS = DATA / "formats" / "schemas"
CORPUS_FORMATS = DATA / "corpus" / "ikanos" / "engine" / "formats"
SPEC = """\
ikanos: "1.0.0-beta5"
info: {{display: Formats, description: One shaped answer.}}
capability:
  exposes:
  - type: rest
    port: 9093
    namespace: shop
    resources:
      items:
        path: /items
        operations:
          list-items:
            method: GET
            call: api.list-items
            outputParameters:
{outputs}  consumes:
  - type: http
    namespace: api
    baseUri: http://localhost:8080
    resources:
      items:
        path: /items
        operations:
          list-items:
            method: GET
            outputRawFormat: {raw_format}
{schema}"""


SHAPED = """\
            - type: object
              properties:
                first: {type: string, mapping: "$.records[0].id"}
"""
PASSED_THROUGH = """\
            - type: object
              mapping: $.
"""


def write(tmp_path: Path, raw_format: str, schema: str | None, outputs: str = SHAPED) -> Path:
    spec = tmp_path / "spec" / "capability.yaml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    line = f"            outputSchema: {json.dumps(schema)}\n" if schema is not None else ""
    spec.write_text(SPEC.format(raw_format=raw_format, schema=line, outputs=outputs))
    return spec


def refused(spec: Path) -> tuple[str, str, str]:
    with pytest.raises(CompilationFailed) as failure:
        compile_spec(spec)
    [error] = [d for d in failure.value.diagnostics if d.severity is Severity.ERROR]
    assert error.line == 30 and error.json_path.endswith("list-items.outputSchema")
    return error.code, error.message, error.hint or ""


def test_schema_files_are_embedded_by_their_path_in_the_spec_folder(tmp_path: Path) -> None:
    spec = write(tmp_path, "avro", "file://./schemas/test-records.avsc")
    shutil.copytree(SCHEMAS, spec.parent / "schemas")
    result = compile_spec(spec)
    package = result.capability.package
    embedded = json.loads(result.files[f"{package}/answer_schemas.json"])
    assert list(embedded) == ["schemas/test-records.avsc"]
    assert embedded["schemas/test-records.avsc"]["name"] == "RecordsList"
    assert 'avro_decoder("schemas/test-records.avsc")' in result.files[f"{package}/rest.py"]
    assert '"fastavro>=' in result.files["pyproject.toml"]
    assert f"{package}/protobuf_decoder.py" not in result.files


def test_a_format_only_passed_through_gets_no_decoder(tmp_path: Path) -> None:
    spec = write(tmp_path, "protobuf", None, PASSED_THROUGH)
    result = compile_spec(spec)
    assert result.diagnostics == []
    assert not [name for name in result.files if "decoder" in name or "answer_schemas" in name]
    assert "protobuf" not in result.files["pyproject.toml"]


def test_an_invalid_css_selector_is_located(tmp_path: Path) -> None:
    code, message, _ = refused(write(tmp_path, "html", "table["))
    assert code == "NG103"
    assert "not a valid CSS selector: Malformed attribute selector" in message


def test_a_schema_file_outside_the_spec_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.avsc").write_text('"string"')
    code, message, _ = refused(write(tmp_path, "avro", "../outside.avsc"))
    assert code == "NG212" and "outside the spec's directory" in message


def test_a_missing_schema_file_is_located(tmp_path: Path) -> None:
    code, message, _ = refused(write(tmp_path, "protobuf", "schemas/none.proto"))
    assert code == "NG006" and "does not exist" in message


def test_an_invalid_avro_schema_is_located(tmp_path: Path) -> None:
    spec = write(tmp_path, "avro", "bad.avsc")
    (spec.parent / "bad.avsc").write_text('{"type": "record", "name": "R", "fields": [1]}')
    code, message, _ = refused(spec)
    assert code == "NG103" and "not a valid Avro schema" in message


def test_a_proto_compile_error_is_located(tmp_path: Path) -> None:
    spec = write(tmp_path, "protobuf", "bad.proto")
    (spec.parent / "bad.proto").write_text('syntax = "proto3";\nmessage R { strin id = 1; }\n')
    code, message, _ = refused(spec)
    assert code == "NG103"
    assert 'does not compile: bad.proto:2:13: "strin" is not defined' in message


def test_schema_formats_without_a_schema_are_skipped_at_build_time() -> None:
    spec = CORPUS_FORMATS / "avro-capability.yaml"
    result = compile_spec(spec)
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.severity) == ("NG102", Severity.WARNING)
    assert "`outputRawFormat: avro` can only be decoded with their schema" in diagnostic.message
    assert "the operation is skipped" in diagnostic.message
    assert diagnostic.json_path.endswith("operations.get-records.outputParameters")
    assert result.capability.rest_adapters[0].operations == ()
    with pytest.raises(CompilationFailed):
        compile_spec(spec, strict=True)
