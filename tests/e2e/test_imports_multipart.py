"""Imported consumes (``location`` + ``import`` + ``as``) and ``multipartForm`` bodies.

``tests/data/imports/main.yaml`` imports the consumed API ``uploads`` of
``shared/upload-api.yaml`` as ``docs``; its operation sends a ``multipart/form-data``
body. The package is compiled, installed and started in front of a recording upstream;
the body the upstream receives is compared byte for byte and parsed with the stdlib.
Build-time errors (missing file or namespace, cycles, remote locations, problems inside
the imported file) are checked for their code and their location.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import pytest
from mcp import Client

from naftiko_codegen.diagnostics import CompilationFailed, Diagnostic
from naftiko_codegen.pipeline import compile_spec

from ..conftest import ServerProcess, build_into, pip_install, start_server
from ..proxy_support import Recorded, RecordingUpstream, upstream_fixture

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"
MAIN = DATA / "main.yaml"
TOKEN = "s3cr3t-upload-token"
TIMEOUT = 10.0


# --------------------------------------------------------------------------- build time


def test_imported_api_is_lowered_under_its_alias() -> None:
    result = compile_spec(MAIN)
    (api,) = result.capability.apis
    assert (api.namespace, api.description) == ("docs", "The shared document store.")
    assert api.base_uri == "http://documents.example.com"
    assert [op.name for op in api.operations] == ["upload-document"]
    assert result.capability.imports[0][0] == "shared/upload-api.yaml"
    assert result.diagnostics == []


def test_output_embeds_no_absolute_path_and_records_the_imported_digest(
    tmp_path: Path,
) -> None:
    result = compile_spec(MAIN)
    text = "\n".join(result.files.values())
    assert str(DATA) not in text and str(DATA.parent) not in text
    config = next(v for k, v in result.files.items() if k.endswith("/config.py"))
    digest = result.capability.imports[0][1]
    assert f'"shared/upload-api.yaml": "{digest}",' in config
    # Editing only the imported file changes the generated files (build --check sees drift).
    copy = tmp_path / "imports"
    shutil.copytree(DATA, copy)
    shared = copy / "shared" / "upload-api.yaml"
    shared.write_text(shared.read_text() + "# edited\n")
    again = compile_spec(copy / "main.yaml")
    changed = [k for k in result.files if result.files[k] != again.files.get(k)]
    assert changed == [k for k in result.files if k.endswith("/config.py")]


def failures(spec: Path) -> list[Diagnostic]:
    with pytest.raises(CompilationFailed) as caught:
        compile_spec(spec)
    return [d for d in caught.value.diagnostics if d.severity == "error"]


def write_main(root: Path, consumes: str) -> Path:
    """A copy of main.yaml whose consumes entry is ``consumes`` (YAML, indented 4)."""
    text = MAIN.read_text()
    start = text.index("  consumes:\n")
    end = text.index("  exposes:\n")
    spec = root / "main.yaml"
    spec.write_text(text[:start] + "  consumes:\n" + consumes + text[end:])
    return spec


def located(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    return (Path(diagnostic.file).name, diagnostic.line, diagnostic.column, diagnostic.code)


def test_missing_file_is_located_at_the_location(tmp_path: Path) -> None:
    spec = write_main(
        tmp_path, '    - location: "file://./nowhere.yaml"\n      import: "uploads"\n'
    )
    (error,) = failures(spec)
    assert located(error) == ("main.yaml", 12, 17, "NG213")
    assert error.message == "imported file 'nowhere.yaml' does not exist"


def test_missing_namespace_names_the_known_ones(tmp_path: Path) -> None:
    shutil.copytree(DATA / "shared", tmp_path / "shared")
    spec = write_main(
        tmp_path, '    - location: "file://./shared/upload-api.yaml"\n      import: "files"\n'
    )
    (error,) = failures(spec)
    assert located(error) == ("main.yaml", 13, 15, "NG213")
    assert error.message == "'shared/upload-api.yaml' declares no consumed namespace 'files'"
    assert error.expected == "one of: uploads"


def test_remote_location_is_refused(tmp_path: Path) -> None:
    spec = write_main(
        tmp_path, '    - location: "https://example.com/api.yaml"\n      import: "uploads"\n'
    )
    (error,) = failures(spec)
    assert located(error) == ("main.yaml", 12, 17, "NG212")


def test_absolute_file_uri_inside_the_directory_is_accepted(tmp_path: Path) -> None:
    shutil.copytree(DATA / "shared", tmp_path / "shared")
    uri = (tmp_path / "shared" / "upload-api.yaml").resolve().as_uri()
    spec = write_main(
        tmp_path, f'    - location: "{uri}"\n      import: "uploads"\n      as: "docs"\n'
    )
    result = compile_spec(spec)
    assert [api.namespace for api in result.capability.apis] == ["docs"]
    assert str(tmp_path) not in "\n".join(result.files.values())


def test_cycle_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        (DATA / "shared" / "upload-api.yaml")
        .read_text()
        .replace(
            '    - type: "http"\n      namespace: "uploads"',
            '    - location: "file://./b.yaml"\n      import: "uploads"\n'
            '    - type: "http"\n      namespace: "unused"',
        )
    )
    (tmp_path / "b.yaml").write_text(
        (tmp_path / "a.yaml").read_text().replace("file://./b.yaml", "file://./a.yaml")
    )
    spec = write_main(
        tmp_path, '    - location: "file://./a.yaml"\n      import: "uploads"\n      as: "docs"\n'
    )
    errors = failures(spec)
    assert [located(e) for e in errors] == [("b.yaml", 21, 15, "NG213")]
    assert errors[0].message == (
        "imported consumes form a cycle: main.yaml#docs → a.yaml#uploads → b.yaml#uploads "
        "→ a.yaml#uploads"
    )


def test_imports_are_followed_through_another_file(tmp_path: Path) -> None:
    shutil.copytree(DATA / "shared", tmp_path / "shared")
    (tmp_path / "shared" / "reexport.yaml").write_text(
        (DATA / "shared" / "upload-api.yaml")
        .read_text()
        .replace(
            '    - type: "http"\n      namespace: "uploads"',
            '    - location: "file://./upload-api.yaml"\n      import: "uploads"\n'
            '      as: "store"\n'
            '    - type: "http"\n      namespace: "unused"',
        )
    )
    spec = write_main(
        tmp_path,
        '    - location: "file://./shared/reexport.yaml"\n      import: "store"\n'
        '      as: "docs"\n',
    )
    result = compile_spec(spec)
    assert [op.name for op in result.capability.apis[0].operations] == ["upload-document"]
    assert [name for name, _ in result.capability.imports] == [
        "shared/reexport.yaml",
        "shared/upload-api.yaml",
    ]


def test_error_inside_the_imported_file_is_located_there(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "imports")
    shared = tmp_path / "imports" / "shared" / "upload-api.yaml"
    shared.write_text(shared.read_text().replace('method: "POST"', 'method: "POTS"'))
    errors = failures(tmp_path / "imports" / "main.yaml")
    assert [located(e) for e in errors] == [("upload-api.yaml", 31, 23, "NG103")]
    assert errors[0].file.endswith("shared/upload-api.yaml")


def test_unknown_tag_in_an_imported_body_is_located_there(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "imports")
    shared = tmp_path / "imports" / "shared" / "upload-api.yaml"
    shared.write_text(shared.read_text().replace("{{title}}", "{{headline}}"))
    result = compile_spec(tmp_path / "imports" / "main.yaml")
    found = [located(d) for d in result.diagnostics if d.code == "NG202"]
    assert found == [("upload-api.yaml", 37, 28, "NG202")]
    assert [d.message for d in result.diagnostics if d.code == "NG202"] == [
        "`{{headline}}` is neither a bound variable nor an input; the operation is skipped"
    ]


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    yield from upstream_fixture()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, upstream: RecordingUpstream
) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("imports")
    result = build_into(MAIN, root / "out")
    pip_install(root / "out", root / "site")
    cap = result.capability
    prefix = cap.env_prefix + "_"
    env = {
        "PYTHONPATH": str(root / "site"),
        prefix + "LOG_LEVEL": "WARNING",
        prefix + "DOCS_BASE_URL": upstream.url + "/v1",
        prefix + "REST_PORT": "0",
        prefix + "MCP_PORT": "0",
        "UPLOAD_TOKEN": TOKEN,
    }
    server = start_server([sys.executable, "-m", cap.package, "all"], expected=2, env=env)
    try:
        yield server
    finally:
        server.stop()


def expected_body(boundary: str, title: str, filename: str, content: str) -> bytes:
    """What httpx writes for the three declared parts (HTML5 escaping of quoted values)."""

    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', "%22").replace("\n", "%0A")

    return (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\n'
        f"{title}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{escape(filename)}"\r\n'
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{content}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="meta"\r\n\r\n'
        '{"source": "naftiko"}\r\n'
        f"--{boundary}--\r\n"
    ).encode()


def check_upload(request: Recorded, folder: str, title: str, filename: str, content: str) -> None:
    assert (request.method, request.path) == ("POST", f"/v1/folders/{folder}/documents")
    assert request.header("authorization") == f"Bearer {TOKEN}"
    content_type = request.header("content-type") or ""
    match = re.fullmatch(r"multipart/form-data; boundary=([0-9a-f]{32})", content_type)
    assert match, content_type
    assert request.body == expected_body(match.group(1), title, filename, content)
    assert request.header("content-length") == str(len(request.body))
    # An independent parser agrees on names, file names, types and values.
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
    )
    parts = [
        (
            part.get_param("name", header="content-disposition"),
            part.get_filename(),
            part.get_content_type(),
            cast(bytes, part.get_payload(decode=True)).decode(),
        )
        for part in message.iter_parts()
    ]
    assert parts == [
        ("title", None, "text/plain", title),
        ("file", filename.replace('"', "%22").replace("\n", "%0A"), "text/plain", content),
        ("meta", None, "text/plain", '{"source": "naftiko"}'),
    ]


TITLE = 'Quarterly "report" — ünïcode'
FILENAME = 'q3 "final"\nreport.txt'
CONTENT = "line 1\r\n--not-a-boundary\r\nline 3"


def test_rest_sends_multipart_form_data(served: ServerProcess, upstream: RecordingUpstream) -> None:
    upstream.reset()
    response = httpx.post(
        served.url("REST") + "/folders/q%203/documents",
        json={"title": TITLE, "filename": FILENAME, "content": CONTENT},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True}
    check_upload(upstream.take(), "q%203", TITLE, FILENAME, CONTENT)


def test_mcp_sends_multipart_form_data(served: ServerProcess, upstream: RecordingUpstream) -> None:
    upstream.reset()
    arguments = {"folder": "a/b", "title": TITLE, "filename": FILENAME, "content": CONTENT}

    async def run() -> Any:
        with anyio.fail_after(TIMEOUT):
            async with Client(served.url("MCP") + "/mcp") as client:
                return await client.call_tool("upload-document", arguments)

    result = anyio.run(run)
    assert not result.is_error, result.content
    assert result.structured_content == {"ok": True}
    check_upload(upstream.take(), "a%2Fb", TITLE, FILENAME, CONTENT)


def test_token_is_not_in_the_generated_files() -> None:
    result = compile_spec(MAIN)
    assert TOKEN not in "\n".join(result.files.values())
    assert "UPLOAD_TOKEN" in next(v for k, v in result.files.items() if k.endswith("upstream.py"))
