"""What an agent reads: the Flyte capability's tools/list, ours against FastMCP's.

Ours: ``specs/flyte-admin-executions.yaml`` compiled with ``--openapi`` on the suite's copy
of the Flyte Admin OpenAPI document (``tests/data/openapi/``), its MCP server asked for
tools/list by the official ``mcp`` client in process. FastMCP's: ``FastMCP.from_openapi`` on
the same document (every operation, as its users start), asked by FastMCP's own client in
process. For each: the tools, the bytes of tools/list (each tool as compact JSON, as it goes
on the wire, summed) per tool, and the typed arguments: top-level arguments whose schema
says what they are (a ``type``, ``enum``, ``$ref`` or a combination), and the typed fields
inside them (every property with a type, ``$defs`` included).

    .venv/bin/python benchmarks/tools_list_compare.py --fastmcp-python PATH

``PATH`` is an interpreter with ``fastmcp`` installed (by default ``benchmarks/.venv``'s,
which ``make bench`` creates); without one, only our side is measured. Prints a Markdown
table; ``--json`` prints the figures. Nothing is timed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "flyte-admin-executions.yaml"
OPENAPI = ROOT / "tests" / "data" / "openapi" / "flyte-admin-executions.openapi.json"
DEFAULT_FASTMCP_PYTHON = Path(__file__).resolve().parent / ".venv" / "bin" / "python"
_TYPING_KEYS = ("type", "enum", "const", "$ref", "anyOf", "oneOf", "allOf")


def figures(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """The measures of one tools/list (tools as JSON objects, camelCase, no nulls)."""
    sizes = [
        len(json.dumps(tool, separators=(",", ":"), ensure_ascii=False).encode()) for tool in tools
    ]
    arguments = typed = fields = 0
    for tool in tools:
        properties = tool.get("inputSchema", {}).get("properties", {})
        arguments += len(properties)
        typed += sum(1 for value in properties.values() if _typed(value))
        fields += _typed_fields(tool.get("inputSchema", {}))
    count = len(tools)
    return {
        "tools": count,
        "bytes": sum(sizes),
        "bytes_per_tool": round(sum(sizes) / count) if count else 0,
        "largest_tool_bytes": max(sizes, default=0),
        "arguments": arguments,
        "typed_arguments": typed,
        "typed_fields": fields,
        "titles": sum(1 for tool in tools if tool.get("title")),
        "output_schemas": sum(1 for tool in tools if tool.get("outputSchema")),
        "described_arguments": sum(
            1
            for tool in tools
            for value in tool.get("inputSchema", {}).get("properties", {}).values()
            if isinstance(value, dict) and value.get("description")
        ),
        "names": [tool["name"] for tool in tools],
    }


def _typed(schema: Any) -> bool:
    return isinstance(schema, dict) and any(key in schema for key in _TYPING_KEYS)


def _typed_fields(schema: Any) -> int:
    """Typed properties anywhere in ``schema`` (each written once: references not followed)."""
    if isinstance(schema, list):
        return sum(_typed_fields(item) for item in schema)
    if not isinstance(schema, dict):
        return 0
    count = 0
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            count += sum(1 for item in value.values() if _typed(item)) if key == "properties" else 0
            count += sum(_typed_fields(item) for item in value.values())
        elif isinstance(value, (dict, list)):
            count += _typed_fields(value)
    return count


def ours() -> list[dict[str, Any]]:
    """Our tools/list: the capability compiled with ``--openapi`` and listed in process."""
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "gen"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "naftiko_codegen",
                "build",
                str(SPEC),
                "-o",
                str(out),
                "--openapi",
                str(OPENAPI),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        code = (
            "import anyio, json, sys\n"
            "from mcp import Client\n"
            "from flyte_admin_api_executions.mcp_server import create_server\n"
            "async def main():\n"
            "    server, upstreams = create_server()\n"
            "    async with upstreams, Client(server) as client:\n"
            "        tools = (await client.list_tools()).tools\n"
            "    print(json.dumps([t.model_dump(mode='json', by_alias=True, exclude_none=True)"
            " for t in tools]))\n"
            "anyio.run(main)\n"
        )
        listed = subprocess.run(
            [sys.executable, "-c", code],
            cwd=out,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
    tools: list[dict[str, Any]] = json.loads(listed.stdout)
    return tools


FASTMCP_CODE = """
import asyncio, json, sys
import fastmcp
from fastmcp import Client, FastMCP
try:
    import httpx2 as httpx
except ImportError:
    import httpx
spec = json.load(open(sys.argv[1]))
client = httpx.AsyncClient(base_url="http://127.0.0.1:9")
server = FastMCP.from_openapi(openapi_spec=spec, client=client, name="flyte")
async def main():
    async with Client(server) as client:
        tools = await client.list_tools()
    print(json.dumps({"version": fastmcp.__version__, "tools": [
        t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]}))
asyncio.run(main())
"""


def theirs(python: Path) -> tuple[str, list[dict[str, Any]]]:
    """FastMCP's tools/list from ``from_openapi`` on the same document."""
    listed = subprocess.run(
        [str(python), "-c", FASTMCP_CODE, str(OPENAPI)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    answer = json.loads(listed.stdout.strip().splitlines()[-1])
    return answer["version"], answer["tools"]


ROWS = [
    ("tools", "tools"),
    ("bytes of tools/list", "bytes"),
    ("bytes per tool", "bytes_per_tool"),
    ("largest tool (bytes)", "largest_tool_bytes"),
    ("arguments", "arguments"),
    ("typed arguments", "typed_arguments"),
    ("typed fields (nested, $defs included)", "typed_fields"),
    ("described arguments", "described_arguments"),
    ("tools with a title", "titles"),
    ("tools with an output schema", "output_schemas"),
]


def table(columns: dict[str, dict[str, Any]]) -> str:
    """The figures side by side, as Markdown."""
    lines = ["| | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]
    for label, key in ROWS:
        lines.append(f"| {label} | " + " | ".join(str(c[key]) for c in columns.values()) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fastmcp-python", type=Path, default=DEFAULT_FASTMCP_PYTHON)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    columns = {"naftiko-gen --openapi": figures(ours())}
    if options.fastmcp_python.exists():
        version, tools = theirs(options.fastmcp_python)
        columns[f"FastMCP {version} from_openapi"] = figures(tools)
    else:
        print(f"no interpreter at {options.fastmcp_python}: FastMCP not measured", file=sys.stderr)
    if options.json:
        print(json.dumps(columns, indent=1))
    else:
        print(table(columns))


if __name__ == "__main__":
    main()
