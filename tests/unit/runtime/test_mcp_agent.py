"""The agent-facing tool layer: projection, answer cap, tool selection, progress
(mcp_answers, mcp_selection, mcp_tools, mcp_progress)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import mcp_types as types
import pytest

from naftiko_codegen.runtime.env_settings import SettingsReader
from naftiko_codegen.runtime.mcp_answers import capped, projected, projection_error
from naftiko_codegen.runtime.mcp_progress import with_progress
from naftiko_codegen.runtime.mcp_results import tool_error, value_result
from naftiko_codegen.runtime.mcp_selection import ToolSelection, tool_selection
from naftiko_codegen.runtime.mcp_tools import ToolSet

ANSWER = {"id": {"name": "n"}, "closure": {"phase": "RUNNING"}, "items": [1, 2, 3]}


def text_of(result: types.CallToolResult) -> str:
    item = result.content[0]
    assert isinstance(item, types.TextContent)
    return item.text


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("$.closure.phase", ["RUNNING"]),
        ("$.items[0:2]", [1, 2]),
        ("$.missing", []),
        ("$", [ANSWER]),
        ("$..name", ["n"]),
    ],
)
def test_projection_selects_the_matches(path: str, matches: list[Any]) -> None:
    assert projection_error(path, "jsonpath") is None
    result = projected(value_result(ANSWER, wrap=False), path, "jsonpath")
    assert result.structured_content == {"matches": matches}
    assert json.loads(text_of(result)) == matches


@pytest.mark.parametrize("path", ["$.[", "closure", "$.a[?@.b ==]"])
def test_an_invalid_path_is_an_error_naming_the_argument(path: str) -> None:
    refused = projection_error(path, "jsonpath_2")
    assert refused is not None and refused.is_error and refused.structured_content is None
    assert "'jsonpath_2'" in text_of(refused)


def test_projection_leaves_errors_and_refuses_text_answers() -> None:
    error = tool_error("upstream down")
    assert projected(error, "$.a", "jsonpath") is error
    text = types.CallToolResult(content=[types.TextContent(type="text", text="plain")])
    refused = projected(text, "$.a", "jsonpath")
    assert refused.is_error and "not JSON" in text_of(refused)


def test_the_cap_cuts_with_a_note_naming_the_projection() -> None:
    answer = value_result({"text": "é" * 500}, wrap=False)
    cut = capped(answer, 101, "jsonpath")
    text = text_of(cut)
    assert text.startswith('{"text": "éé') and "limit of 101" in text and "'jsonpath'" in text
    assert len(text.split("\n[answer truncated")[0].encode()) <= 101
    assert cut.structured_content == {"truncated": text.split("\n", 1)[1]}
    assert capped(answer, 0, "jsonpath") is answer
    assert capped(answer, 10_000, "jsonpath") is answer
    assert "narrow the request" in text_of(capped(answer, 50, None))


def test_a_cut_error_keeps_no_structured_content() -> None:
    cut = capped(tool_error("x" * 500), 100, "jsonpath")
    assert cut.is_error and cut.structured_content is None


@pytest.mark.parametrize(
    ("environ", "selection"),
    [
        ({}, ToolSelection()),
        ({"P_MCP_READ_ONLY": "TRUE"}, ToolSelection(read_only=True)),
        ({"P_MCP_TOOLS": " get-*, ,list "}, ToolSelection(names=("get-*", "list"))),
        ({"P_MCP_TOOL_TAGS": "ops,admin"}, ToolSelection(tags=("ops", "admin"))),
    ],
)
def test_selection_settings(environ: dict[str, str], selection: ToolSelection) -> None:
    env = SettingsReader(environ, "P_")
    assert tool_selection(env) == selection and env.errors == []


def test_a_bad_read_only_flag_is_reported() -> None:
    env = SettingsReader({"P_MCP_READ_ONLY": "maybe"}, "P_")
    tool_selection(env)
    assert env.errors == ["P_MCP_READ_ONLY must be true or false"]


def tool(name: str, read_only: bool) -> types.Tool:
    return types.Tool(
        name=name,
        input_schema={
            "type": "object",
            "properties": {"jsonpath": {"type": "string"}},
            "additionalProperties": False,
        },
        annotations=types.ToolAnnotations(read_only_hint=read_only),
    )


async def answer(args: dict[str, Any]) -> types.CallToolResult:
    return value_result({"seen": sorted(args), "big": "x" * 300}, wrap=False)


TOOLS = ToolSet(
    [tool("get-ship", True), tool("delete-ship", False), tool("list-ports", True)],
    {"get-ship": answer, "delete-ship": answer, "list-ports": answer},
    projections={"get-ship": "jsonpath", "delete-ship": "jsonpath"},
    tags={"get-ship": ["ships"], "delete-ship": ["ships", "admin"]},
)


@pytest.mark.parametrize(
    ("selection", "served"),
    [
        (ToolSelection(), ["get-ship", "delete-ship", "list-ports"]),
        (ToolSelection(read_only=True), ["get-ship", "list-ports"]),
        (ToolSelection(names=("*-ship",)), ["get-ship", "delete-ship"]),
        (ToolSelection(tags=("admin",)), ["delete-ship"]),
        (ToolSelection(read_only=True, tags=("ships",)), ["get-ship"]),
    ],
)
def test_serving_keeps_the_selected_tools_in_order(
    selection: ToolSelection, served: list[str]
) -> None:
    serving = TOOLS.serving(selection, 0)
    assert [t.name for t in serving.tools] == served
    assert list(serving.handlers) == served
    left_out = (
        next(t.name for t in TOOLS.tools if t.name not in served) if len(served) < 3 else None
    )
    if left_out is not None:
        refused = anyio.run(serving.call, left_out, {})
        assert refused.is_error and "Unknown tool" in text_of(refused)
        assert serving.input_schema(left_out) is None


def test_call_projects_after_the_handler_and_caps() -> None:
    serving = TOOLS.serving(ToolSelection(), 100)
    projected_answer = anyio.run(serving.call, "get-ship", {"jsonpath": "$.seen"})
    assert projected_answer.structured_content == {"matches": [[]]}  # the handler never sees it
    whole = anyio.run(serving.call, "get-ship", {})
    assert whole.structured_content is not None and "truncated" in whole.structured_content
    unprojected = anyio.run(serving.call, "list-ports", {})
    assert "narrow the request" in text_of(unprojected)  # no projection argument to suggest


def test_progress_is_reported_only_while_the_call_runs() -> None:
    reports: list[tuple[float, str]] = []

    async def report(waited: float, message: str) -> None:
        reports.append((waited, message))

    async def run() -> str:
        release = anyio.Event()

        async def slow() -> str:
            await release.wait()
            return "done"

        async def releaser(waited: float, message: str) -> None:
            await report(waited, message)
            if len(reports) == 2:
                release.set()

        return await with_progress(slow, releaser, "tool 'x'", every=0.01)

    assert anyio.run(run) == "done"
    assert [waited for waited, _ in reports] == [0.01, 0.02]
    assert reports[0][1] == "waiting for tool 'x' (0.01 s)"

    async def quick() -> str:
        return "fast"

    reports.clear()
    assert anyio.run(with_progress, quick, report, "tool 'y'") == "fast"
    assert reports == []


def test_a_failing_report_does_not_fail_the_call() -> None:
    async def broken(waited: float, message: str) -> None:
        raise OSError("stream closed")

    async def run() -> str:
        async def slowish() -> str:
            await anyio.sleep(0.05)
            return "done"

        return await with_progress(slowish, broken, "x", every=0.01)

    assert anyio.run(run) == "done"
