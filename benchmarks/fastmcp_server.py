"""The MCP alternative: ``FastMCP.from_openapi`` over the same upstream's OpenAPI document.

Built from ``specs/flyte-admin-executions.openapi.json`` with FastMCP's defaults (one tool
per operation, output validated against the response schema), served over Streamable HTTP
at ``/mcp`` by uvicorn, like the generated MCP server.

    UPSTREAM=http://127.0.0.1:PORT python benchmarks/fastmcp_server.py --port 0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import uvicorn
from fastmcp import FastMCP

try:  # fastmcp 4 uses httpx2; older releases use httpx
    import httpx2 as httpx_module
except ImportError:  # pragma: no cover - depends on the installed fastmcp
    import httpx as httpx_module  # type: ignore[no-redef]

SPEC = Path(__file__).resolve().parent / "specs" / "flyte-admin-executions.openapi.json"
UPSTREAM = os.environ.get("UPSTREAM", "http://127.0.0.1:30080")


def build_app() -> Any:
    """The ASGI app: ``FastMCP.from_openapi`` on the OpenAPI document, Streamable HTTP at /mcp."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    client = httpx_module.AsyncClient(base_url=UPSTREAM, timeout=30.0, trust_env=False)
    server = FastMCP.from_openapi(openapi_spec=spec, client=client, name="flyte-admin-executions")
    return server.http_app(path="/mcp")


async def serve(host: str, port: int) -> None:
    server = uvicorn.Server(uvicorn.Config(build_app(), host=host, port=port, log_level="info"))
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        bound = server.servers[0].sockets[0].getsockname()
        print(
            f"FastMCP.from_openapi listening on http://{bound[0]}:{bound[1]}",
            file=sys.stderr,
            flush=True,
        )
    await task


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.host, args.port))
    except KeyboardInterrupt:
        pass
