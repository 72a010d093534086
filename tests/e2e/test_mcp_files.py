"""File-based MCP resources and prompts (``location``), end to end and at build time.

The capability in tests/data/mcp_files/ is copied to a temporary folder (its `file:///`
locations are rewritten to the copy), compiled, pip-installed, and the copy is deleted
before the server starts: the package must serve the embedded files on its own.
"""

from __future__ import annotations

import base64
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from naftiko_codegen.diagnostics import CompilationFailed, Severity
from naftiko_codegen.lowering import files as files_module
from naftiko_codegen.pipeline import compile_spec

from ..conftest import ServerProcess, build_into, pip_install, start_server

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parents[1] / "data" / "mcp_files"
SPEC = "files-capability.yaml"
FILES = DATA / "files"


def copy_spec(target: Path, replace: dict[str, str] | None = None) -> Path:
    """Copy the data folder to ``target`` with its locations pointing into the copy."""
    shutil.copytree(DATA, target)
    spec = target / SPEC
    text = spec.read_text("utf-8").replace("/__DIR__", str(target))
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    spec.write_text(text, "utf-8")
    return spec


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("mcp_files")
    spec = copy_spec(root / "spec")
    result = build_into(spec, root / "out")
    site = pip_install(root / "out", root / "site")
    shutil.rmtree(root / "spec")  # the package must not need the spec's folder
    cap = result.capability
    prefix = cap.env_prefix + "_"
    env = {"PYTHONPATH": str(site), prefix + "MCP_PORT": "0", prefix + "LOG_LEVEL": "WARNING"}
    server = start_server([sys.executable, "-m", cap.package, "mcp"], expected=1, env=env)
    try:
        yield server
    finally:
        server.stop()


def session(server: ServerProcess, action: Any) -> Any:
    async def run() -> Any:
        with anyio.fail_after(30):
            async with Client(server.url("MCP") + "/mcp") as client:
                return await action(client)

    return anyio.run(run)


def test_directory_and_file_resources_are_listed(served: ServerProcess) -> None:
    async def listing(client: Client) -> Any:
        return (await client.list_resources()).resources

    listed = session(served, listing)
    assert [(r.name, r.uri, r.mime_type, r.size) for r in listed] == [
        ("guides", "docs://guides/data%20file.json", "application/json", 9),
        ("guides", "docs://guides/intro.md", "text/markdown", 51),
        ("guides", "docs://guides/logo.png", "image/png", 67),
        ("guides", "docs://guides/nested/config.yaml", "application/yaml", 27),
        ("readme", "docs://readme", "text/plain; charset=utf-8", 20),
    ]
    assert {r.title for r in listed} == {"Guides", "Read me"}
    assert listed[0].description == "Every guide, one resource per file."


def test_text_files_are_read_byte_for_byte(served: ServerProcess) -> None:
    async def read(client: Client) -> Any:
        return [
            (await client.read_resource(uri)).contents
            for uri in ("docs://guides/intro.md", "docs://guides/nested/config.yaml")
        ]

    intro, config = session(served, read)
    assert [(c.uri, c.mime_type, c.text) for c in intro] == [
        (
            "docs://guides/intro.md",
            "text/markdown",
            (FILES / "docs" / "intro.md").read_bytes().decode("utf-8"),
        )
    ]
    assert config[0].text == "name: demo\r\nitems: [1, 2]\r\n"  # CRLF kept, not a template


def test_binary_files_are_base64_blobs(served: ServerProcess) -> None:
    async def read(client: Client) -> Any:
        return (await client.read_resource("docs://guides/logo.png")).contents

    [content] = session(served, read)
    assert content.mime_type == "image/png"
    assert not hasattr(content, "text")
    assert base64.b64decode(content.blob) == (FILES / "docs" / "logo.png").read_bytes()


def test_declared_mime_type_wins_for_a_single_file(served: ServerProcess) -> None:
    async def read(client: Client) -> Any:
        return (await client.read_resource("docs://readme")).contents

    [content] = session(served, read)
    assert (content.mime_type, content.text) == (
        "text/plain; charset=utf-8",
        "Plain read-me text.\n",
    )


@pytest.mark.parametrize(
    "uri",
    [
        "docs://guides",
        "docs://guides/.hidden",
        "docs://guides/data file.json",
        "docs://guides/nested/../intro.md",
        "docs://readme/",
    ],
)
def test_other_uris_are_unknown(served: ServerProcess, uri: str) -> None:
    async def read(client: Client) -> Any:
        with pytest.raises(MCPError) as caught:
            await client.read_resource(uri)
        return caught.value

    error = session(served, read)
    assert error.code == INVALID_PARAMS
    assert error.message == f"Unknown resource {uri!r}"


def test_file_prompt_renders_its_arguments(served: ServerProcess) -> None:
    async def prompts(client: Client) -> Any:
        listed = (await client.list_prompts()).prompts
        full = await client.get_prompt(
            "review-code", {"language": "Python", "code": "x = {{focus}}", "focus": "names"}
        )
        partial = await client.get_prompt("review-code", {"language": "Go", "code": "x := 1"})
        return listed, full, partial

    listed, full, partial = session(served, prompts)
    assert [(p.name, p.title) for p in listed] == [("review-code", "Review code")]
    assert [(a.name, a.required) for a in listed[0].arguments] == [
        ("language", True),
        ("code", True),
        ("focus", False),
    ]
    assert [(m.role, m.content.text) for m in full.messages] == [
        ("user", "Review this Python code.\nFocus on: names.\n\n```\nx = {{focus}}\n```\n")
    ]
    # A missing optional argument renders as the empty string (Mustache).
    assert partial.messages[0].content.text == (
        "Review this Go code.\nFocus on: .\n\n```\nx := 1\n```\n"
    )


def test_file_prompt_missing_required_argument_is_invalid_params(served: ServerProcess) -> None:
    async def missing(client: Client) -> Any:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("review-code", {"language": "Go"})
        return caught.value

    error = session(served, missing)
    assert error.code == INVALID_PARAMS
    assert error.message == "Prompt 'review-code' needs the arguments: code"


# --- build time ------------------------------------------------------------------------


def test_output_is_deterministic_and_embeds_the_files(tmp_path: Path) -> None:
    first = compile_spec(copy_spec(tmp_path / "a"))
    again = compile_spec(tmp_path / "a" / SPEC)
    assert first.files == again.files
    assert first.diagnostics == []
    data = first.files["mcp_files/mcp_server_files.json"]
    assert '"uri": "docs://guides/intro.md"' in data
    assert "hidden" not in data
    assert "mcp_files/mcp_server_files.json" in first.files
    assert "__DIR__" not in "".join(first.files.values())
    assert str(tmp_path) not in "".join(first.files.values())  # no build paths leak


def errors_of(spec: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(CompilationFailed) as failure:
        compile_spec(spec)
    return [
        (d.code, d.json_path, d.message)
        for d in failure.value.diagnostics
        if d.severity is Severity.ERROR
    ]


def test_missing_file_is_a_located_error(tmp_path: Path) -> None:
    spec = copy_spec(tmp_path / "s", {"files/README.txt": "files/MISSING.txt"})
    [(code, path, message)] = errors_of(spec)
    assert (code, path) == ("NG006", "$.capability.exposes[0].resources[1].location")
    assert message == f"file://{tmp_path}/s/files/MISSING.txt does not exist"


def test_location_outside_the_spec_folder_is_refused(tmp_path: Path) -> None:
    spec = copy_spec(tmp_path / "s", {"/files/README.txt": "/../outside.txt"})
    (tmp_path / "outside.txt").write_text("outside")
    [(code, path, message)] = errors_of(spec)
    assert (code, path) == ("NG212", "$.capability.exposes[0].resources[1].location")
    assert message == "the location leads outside the spec's directory"


def test_link_leading_out_of_the_directory_is_refused(tmp_path: Path) -> None:
    spec = copy_spec(tmp_path / "s")
    (tmp_path / "s" / "files" / "docs" / "escape.txt").symlink_to(
        tmp_path / "s" / "files" / "README.txt"
    )
    [(code, path, message)] = errors_of(spec)
    assert (code, path) == ("NG212", "$.capability.exposes[0].resources[0].location")
    assert message == f"'escape.txt' leads outside file://{tmp_path}/s/files/docs"


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files_module, "MAX_FILE_BYTES", 40)
    found = errors_of(copy_spec(tmp_path / "s"))
    assert [(code, path) for code, path, _ in found] == [
        ("NG005", "$.capability.exposes[0].resources[0].location"),
        ("NG005", "$.capability.exposes[0].prompts[0].location"),
    ]
    message = found[0][2]
    assert message == f"'intro.md' under file://{tmp_path}/s/files/docs is larger than 40 bytes"


def test_prompt_placeholder_without_argument_skips_the_prompt(tmp_path: Path) -> None:
    spec = copy_spec(tmp_path / "s")
    (tmp_path / "s" / "files" / "prompts" / "review.md").write_text("Hi {{API_TOKEN}}")
    result = compile_spec(spec)
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.severity) == ("NG202", Severity.WARNING)
    assert diagnostic.json_path == "$.capability.exposes[0].prompts[0].location"
    assert "`{{API_TOKEN}}` names no argument of the prompt" in diagnostic.message
    assert result.capability.mcp_adapters[0].prompts == ()


def test_prompt_location_must_be_a_file(tmp_path: Path) -> None:
    spec = copy_spec(tmp_path / "s", {"files/prompts/review.md": "files/prompts"})
    [(code, path, message)] = errors_of(spec)
    assert (code, path) == ("NG006", "$.capability.exposes[0].prompts[0].location")
    assert message == f"file://{tmp_path}/s/files/prompts is a directory; a prompt needs one file"
