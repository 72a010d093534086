"""Answers in html, markdown, avro and protobuf, decoded and shaped, served for real.

``tests/data/formats/answer-formats.yaml`` consumes one API answering in each format (the
official samples' operations and data) and exposes each as a REST route and an MCP tool. The
package is built, pip-installed and started on free ports of 127.0.0.1 in front of a stub
upstream answering the bytes of each format; clients are real (httpx, the ``mcp`` SDK).
"""

from __future__ import annotations

import base64
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import fastavro
import httpx
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from mcp import Client

from naftiko_codegen.lowering.answer_formats import protobuf_schema

from ..conftest import DATA, ServerProcess, build_into, pip_install, start_server
from ..proxy_support import Recorded, RecordingUpstream, Reply

pytestmark = pytest.mark.e2e

SPEC = DATA / "formats" / "answer-formats.yaml"
SCHEMAS = SPEC.parent / "schemas"
RECORDS = [
    {"id": "r-1", "title": "First", "description": "the first record"},
    {"id": "r-2", "title": "Second", "description": "the second record"},
]
BROKEN = "/api/avro-records?broken"


def avro_records() -> bytes:
    schema = fastavro.parse_schema(json.loads((SCHEMAS / "test-records.avsc").read_text()))
    stream = io.BytesIO()
    fastavro.schemaless_writer(stream, schema, {"records": RECORDS})
    return stream.getvalue()


def proto_records() -> bytes:
    entry = protobuf_schema(SCHEMAS, "test-records.proto")
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(
        base64.b64decode(entry["descriptorSet"])
    ).file:
        pool.Add(file)
    message = message_factory.GetMessageClass(pool.FindMessageTypeByName(entry["message"]))()
    for record in RECORDS:
        message.records.add(**record)
    return bytes(message.SerializeToString())


class FormatsApi(RecordingUpstream):
    """Each consumed path answers the bytes of its format."""

    def __init__(self) -> None:
        self.answers = {
            "/api/products": ("text/html", (SCHEMAS / "sample-products.html").read_bytes()),
            "/api/readme": ("text/markdown", (SCHEMAS / "sample-readme.md").read_bytes()),
            "/api/avro-records": ("application/avro", avro_records()),
            "/api/proto-records": ("application/protobuf", proto_records()),
        }
        self.broken = False
        super().__init__()

    def _reply_to(self, request: Recorded) -> Reply:
        if request.path not in self.answers:
            return Reply(status=404, body=b'{"message": "no such path"}')
        content_type, body = self.answers[request.path]
        return Reply(content_type=content_type, body=body[:-2] if self.broken else body)


class Formats:
    """The package built, installed and serving REST and MCP."""

    def __init__(self, root: Path, api: FormatsApi) -> None:
        result = build_into(SPEC, root / "out")
        self.out = root / "out"
        site = pip_install(root / "out", root / "site")
        cap = result.capability
        prefix = cap.env_prefix + "_"
        env = {"PYTHONPATH": str(site), prefix + "LOG_LEVEL": "WARNING"}
        env[cap.apis[0].base_uri_env] = api.url
        for adapter in [*cap.rest_adapters, *cap.listeners]:
            env[f"{prefix}{adapter.key.upper()}_PORT"] = "0"
        self.server: ServerProcess = start_server(
            [sys.executable, "-m", cap.package, "all"], expected=2, env=env
        )

    def rest(self, path: str) -> httpx.Response:
        return httpx.get(self.server.url("REST") + path, timeout=30)

    def tool(self, name: str) -> Any:
        async def run() -> Any:
            async with Client(self.server.url("MCP") + "/mcp") as client:
                return await client.call_tool(name, {})

        return anyio.run(run)


@pytest.fixture(scope="module")
def api() -> Iterator[FormatsApi]:
    server = FormatsApi()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def formats(tmp_path_factory: pytest.TempPathFactory, api: FormatsApi) -> Iterator[Formats]:
    started = Formats(tmp_path_factory.mktemp("formats"), api)
    try:
        yield started
    finally:
        started.server.stop()


@pytest.fixture
def upstream(api: FormatsApi) -> Iterator[FormatsApi]:
    api.reset()
    api.broken = False
    yield api
    api.broken = False


def test_the_package_depends_on_each_decoder_library(formats: Formats) -> None:
    pyproject = (formats.out / "pyproject.toml").read_text()
    for requirement in ("beautifulsoup4", "markdown-it-py", "pyyaml", "fastavro", "protobuf"):
        assert f'"{requirement}>=' in pyproject
    assert "grpcio" not in pyproject  # the .proto was compiled at build time
    embedded = json.loads((formats.out / "answer_formats" / "answer_schemas.json").read_text())
    assert sorted(embedded) == ["schemas/test-records.avsc", "schemas/test-records.proto"]


def test_html_route_and_tool(formats: Formats, upstream: FormatsApi) -> None:
    response = formats.rest("/html/products")
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"name": "Widget", "price": "$42", "stock": 150},
        {"name": "Gadget", "price": "$99", "stock": 30},
    ]
    result = formats.tool("list-products")
    assert not result.is_error, result.content
    assert result.structured_content == {
        "products": [{"name": "Widget", "price": "$42"}, {"name": "Gadget", "price": "$99"}]
    }


def test_markdown_route_and_tool(formats: Formats, upstream: FormatsApi) -> None:
    response = formats.rest("/markdown/features")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "features": [
            {"feature": "HTML support", "status": "GA"},
            {"feature": "Markdown support", "status": "Beta"},
        ],
        "sections": [
            {
                "content": "This release introduces table extraction for markdown.",
                "heading": "Overview",
            }
        ],
        "title": "Product Release Notes",
    }
    result = formats.tool("list-features")
    assert result.structured_content == {
        "features": [{"feature": "HTML support"}, {"feature": "Markdown support"}],
        "version": "2.1.0",
    }


@pytest.mark.parametrize(
    ("route", "tool"),
    [("/avro/records", "list-avro-records"), ("/proto/records", "list-proto-records")],
)
def test_schema_formats_route_and_tool(
    formats: Formats, upstream: FormatsApi, route: str, tool: str
) -> None:
    response = formats.rest(route)
    assert response.status_code == 200, response.text
    assert response.json() == RECORDS
    result = formats.tool(tool)
    assert not result.is_error, result.content
    assert result.structured_content == {
        "records": [{"id": r["id"], "title": r["title"]} for r in RECORDS]
    }


@pytest.mark.parametrize(
    ("route", "tool"),
    [("/avro/records", "list-avro-records"), ("/proto/records", "list-proto-records")],
)
def test_undecodable_answers_are_a_502_and_an_error_result(
    formats: Formats, upstream: FormatsApi, route: str, tool: str
) -> None:
    upstream.broken = True
    response = formats.rest(route)
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert "invalid" in response.json()["detail"]
    result = formats.tool(tool)
    assert result.is_error
    assert "cannot be decoded" in result.content[0].text
