"""An MCP server assembled from tool, resource and prompt sets (mcp_tools, mcp_resources,
mcp_prompts, mcp_app), exercised with the SDK's own client, in process."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from naftiko_codegen.runtime.errors import InputError, StepFailed, UpstreamError
from naftiko_codegen.runtime.exchange import UpstreamResponse
from naftiko_codegen.runtime.mcp_app import build_server
from naftiko_codegen.runtime.mcp_prompts import PromptSet
from naftiko_codegen.runtime.mcp_resources import ResourceSet, file_contents, resource_result
from naftiko_codegen.runtime.mcp_results import value_result
from naftiko_codegen.runtime.mcp_tools import ToolSet

SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer"}},
    "required": ["n"],
    "additionalProperties": False,
}
ANNOTATIONS = types.ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)
TOOLS = [
    types.Tool(name=name, description=name, input_schema=SCHEMA, annotations=ANNOTATIONS)
    for name in ("double", "upstream", "invalid", "step", "crash")
]


async def double(context: str, args: dict[str, Any]) -> types.CallToolResult:
    return value_result({"n": 2 * args["n"], "context": context}, wrap=False)


async def failing(context: str, args: dict[str, Any]) -> types.CallToolResult:
    errors: dict[int, Exception] = {
        1: UpstreamError("api", "op", 504, "Upstream timeout", "no answer in time"),
        2: InputError("n", "argument", "is odd"),
        3: StepFailed("fetch", "HTTP 404", 404),
        4: RuntimeError("boom"),
    }
    raise errors[args["n"]]


TOOL_SET = ToolSet(
    TOOLS,
    {"double": double, "upstream": failing, "invalid": failing, "step": failing, "crash": failing},
)


def text_of(result: types.CallToolResult) -> str:
    item = result.content[0]
    assert isinstance(item, types.TextContent)
    return item.text


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("nothing", {"n": 1}, "Unknown tool 'nothing'. Available tools: double, upstream,"),
        ("double", {"n": "x"}, "Invalid arguments for tool 'double': n: 'x' is not of type"),
        ("double", {}, "Invalid arguments for tool 'double': arguments: 'n' is a required"),
        ("upstream", {"n": 1}, "api.op failed: no answer in time"),
        ("invalid", {"n": 2}, "Invalid argument 'n': is odd"),
        ("step", {"n": 3}, "Step 'fetch' failed, later steps were not run: HTTP 404"),
        ("crash", {"n": 4}, "Tool 'crash' failed unexpectedly; the server log names it "),
    ],
)
def test_every_tool_failure_is_a_tool_error(
    name: str, arguments: dict[str, Any], message: str
) -> None:
    result = asyncio.run(TOOL_SET.call(name, arguments, "ctx"))
    assert result.is_error
    assert text_of(result).startswith(message)


def test_an_unexpected_failure_is_logged_once_under_the_request_id_it_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        result = asyncio.run(TOOL_SET.call("crash", {"n": 4}, "ctx"))
    request_id = re.search(r"request ([0-9a-f]{16})", text_of(result))
    assert request_id is not None
    assert "RuntimeError" not in text_of(result)  # no internals in the answer
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert request_id.group(1) in failures[0].getMessage()
    assert failures[0].exc_info is not None


def test_a_tool_gets_the_servers_context_then_its_arguments() -> None:
    result = asyncio.run(TOOL_SET.call("double", {"n": 21}, "ctx"))
    assert result.structured_content == {"n": 42, "context": "ctx"}
    assert TOOL_SET.input_schema("double") == SCHEMA
    assert TOOL_SET.input_schema("nothing") is None


async def read_item(context: str, uri: str, match: re.Match[str]) -> types.ReadResourceResult:
    if match.group("p0") == "down":
        raise UpstreamError("api", "item", 502, "Upstream unavailable", "refused")
    body = json.dumps({"id": match.group("p0"), "secret": "s"}).encode()
    upstream = UpstreamResponse("api", "item", 200, "application/json", body)
    return resource_result(uri, None, upstream, lambda node: {"id": node["id"], "via": context})


def resource_set(tmp_path: Path) -> ResourceSet:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    files = [
        {"uri": "docs://readme", "mimeType": "text/markdown", "text": "# Hi"},
        {"uri": "docs://logo", "mimeType": "image/png", "blob": "AAE="},
    ]
    (package / "files.json").write_text(json.dumps(files))
    sys.path.insert(0, str(tmp_path))
    try:
        contents = file_contents("pkg", "files.json")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("pkg", None)
    template = types.ResourceTemplate(name="item", uri_template="items://{id}")
    return ResourceSet(
        [], [template], readers=[(r"items://(?P<p0>[^/]+)", read_item)], files=contents
    )


def test_resources_are_read_from_files_or_their_reader(tmp_path: Path) -> None:
    resources = resource_set(tmp_path)
    readme = asyncio.run(resources.read("docs://readme", "ctx")).contents[0]
    assert isinstance(readme, types.TextResourceContents) and readme.text == "# Hi"
    logo = asyncio.run(resources.read("docs://logo", "ctx")).contents[0]
    assert isinstance(logo, types.BlobResourceContents) and logo.blob == "AAE="
    item = asyncio.run(resources.read("items://7", "ctx")).contents[0]
    assert isinstance(item, types.TextResourceContents)
    assert json.loads(item.text) == {"id": "7", "via": "ctx"}
    assert item.mime_type == "application/json"
    with pytest.raises(MCPError, match="api.item failed: refused"):
        asyncio.run(resources.read("items://down", "ctx"))
    with pytest.raises(MCPError, match="Unknown resource 'other://x'"):
        asyncio.run(resources.read("other://x", "ctx"))


def test_an_upstream_error_or_a_text_answer_is_an_mcp_error_for_a_shaped_resource() -> None:
    failed = UpstreamResponse("api", "item", 404, "application/json", b'{"message": "none"}')
    with pytest.raises(MCPError, match="api.item failed: upstream answered HTTP 404: none"):
        resource_result("items://1", None, failed, None)
    text = UpstreamResponse("api", "item", 200, "text/plain; charset=utf-8", b"plain")
    with pytest.raises(MCPError, match="the upstream answer is not JSON"):
        resource_result("items://1", None, text, lambda node: node)
    plain = resource_result("items://1", None, text, None).contents[0]
    assert isinstance(plain, types.TextResourceContents)
    assert (plain.text, plain.mime_type) == ("plain", "text/plain")


def greet(args: dict[str, str]) -> types.GetPromptResult:
    message = types.PromptMessage(
        role="user", content=types.TextContent(type="text", text=f"Hello {args['name']}")
    )
    return types.GetPromptResult(description="greet", messages=[message])


PROMPTS = PromptSet(
    [
        types.Prompt(
            name="greet",
            description="greet",
            arguments=[types.PromptArgument(name="name", description="who", required=True)],
        )
    ],
    {"greet": greet},
)


def test_prompts_need_their_required_arguments() -> None:
    content = PROMPTS.get("greet", {"name": "Ada"}).messages[0].content
    assert isinstance(content, types.TextContent) and content.text == "Hello Ada"
    with pytest.raises(MCPError, match="needs the arguments: name"):
        PROMPTS.get("greet", {})
    with pytest.raises(MCPError, match="Unknown prompt 'other'"):
        PROMPTS.get("other", {})


class Calls:
    """A recorder of tool calls."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str, bool]] = []

    def start(self, headers: Any) -> str:
        return "started"

    def finish(self, started: Any, adapter: str, operation: str, *, failed: bool) -> None:
        assert started == "started"
        self.finished.append((adapter, operation, failed))


def test_the_server_serves_its_sets_to_the_sdk_client(tmp_path: Path) -> None:
    calls = Calls()
    server = build_server(
        "srv",
        "Server",
        "Use it.",
        ("ctx",),
        tools=TOOL_SET,
        resources=resource_set(tmp_path),
        prompts=PROMPTS,
        recording=calls,
    )

    async def session() -> tuple[Any, ...]:
        async with Client(server) as client:
            tools = await client.list_tools()
            doubled = await client.call_tool("double", {"n": 4})
            refused = await client.call_tool("double", {"n": "x"})
            templates = await client.list_resource_templates()
            readme = await client.read_resource("docs://readme")
            prompt = await client.get_prompt("greet", {"name": "Ada"})
            return tools, doubled, refused, templates, readme, prompt

    tools, doubled, refused, templates, readme, prompt = asyncio.run(session())
    assert [tool.name for tool in tools.tools] == [tool.name for tool in TOOLS]
    assert doubled.structured_content == {"n": 8, "context": "ctx"}
    assert refused.is_error
    assert [t.uri_template for t in templates.resource_templates] == ["items://{id}"]
    assert readme.contents[0].text == "# Hi"
    assert prompt.messages[0].content.text == "Hello Ada"
    assert calls.finished == [("srv", "double", False), ("srv", "double", True)]


def test_a_server_without_resources_or_prompts_does_not_offer_them() -> None:
    server = build_server("srv", "Server", "Use it.", ("ctx",), tools=TOOL_SET)

    async def capabilities() -> Any:
        async with Client(server) as client:
            return client.server_capabilities

    offered = asyncio.run(capabilities())
    assert offered.tools is not None
    assert offered.resources is None and offered.prompts is None


class CrashingResources:
    """Resources whose reader fails with an error that must not reach the client."""

    resources: tuple[types.Resource, ...] = ()
    templates: tuple[types.ResourceTemplate, ...] = ()

    async def read(self, uri: str, *context: Any) -> types.ReadResourceResult:
        raise RuntimeError("internal detail: /srv/secret/path")


class CrashingPrompts:
    """Prompts whose renderer fails with an error that must not reach the client."""

    prompts: tuple[types.Prompt, ...] = ()

    def get(self, name: str, arguments: dict[str, str]) -> types.GetPromptResult:
        raise KeyError("internal detail: /srv/secret/path")


def test_an_unexpected_resource_or_prompt_failure_names_a_request_id_not_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = build_server(
        "srv",
        "Server",
        "Use it.",
        ("ctx",),
        tools=TOOL_SET,
        resources=CrashingResources(),
        prompts=CrashingPrompts(),
    )

    async def session() -> list[str]:
        messages = []
        async with Client(server) as client:
            for request in (client.read_resource("docs://x"), client.get_prompt("greet", {})):
                with pytest.raises(MCPError) as raised:
                    await request
                messages.append(raised.value.error.message)
        return messages

    with caplog.at_level(logging.ERROR, logger="naftiko_codegen.runtime.mcp_app"):
        messages = asyncio.run(session())
    ids = []
    for message, what in zip(messages, ("resource 'docs://x'", "prompt 'greet'"), strict=True):
        assert message.startswith(f"{what} failed unexpectedly; the server log names it request")
        assert "internal detail" not in message
        ids.append(re.search(r"request ([0-9a-f]{16})", message).group(1))  # type: ignore[union-attr]
    logged = [r for r in caplog.records if r.name == "naftiko_codegen.runtime.mcp_app"]
    assert [record.args[0] for record in logged] == ids  # type: ignore[index]
    assert all(record.exc_info is not None for record in logged)
