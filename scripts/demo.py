"""`make demo`: compile the Flyte capability, install it, and run it against the simulator.

Starts the bundled Flyte Admin simulator and the generated package's REST and MCP servers
on 127.0.0.1, makes a few example calls through each, prints the URLs and the commands to
try, then waits for Ctrl-C (or exits at once with ``--no-wait``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import ServerProcess, start_server  # noqa: E402

PACKAGE = "flyte_admin_api_executions"
PREFIX = "FLYTE_ADMIN_API_EXECUTIONS_"


def run(command: list[str]) -> None:
    """Run a set-up command, echoing it; stop the demo if it fails."""
    print("$", " ".join(shlex.quote(part) for part in command), flush=True)
    subprocess.run(command, check=True, cwd=REPO)


def show(title: str, response: httpx.Response) -> Any:
    """Print one example exchange."""
    request = response.request
    body = request.content.decode() if request.content else ""
    command = f"curl -s -X {request.method} '{request.url}'"
    if body:
        command += f" -H 'content-type: application/json' -d '{body}'"
    print(f"\n# {title}\n{command}\n→ HTTP {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def rest_examples(base: str) -> None:
    """Create, get, list, terminate and read metrics through the generated REST server."""
    launch_plan = {
        "resource_type": "LAUNCH_PLAN",
        "project": "flytesnacks",
        "domain": "development",
        "name": "daily-report",
        "version": "v1",
    }
    body = {"project": "flytesnacks", "domain": "development", "spec": {"launch_plan": launch_plan}}
    with httpx.Client(base_url=base, timeout=10) as client:
        created = show("create an execution", client.post("/v1/api/v1/executions", json=body))
        name = created["id"]["name"]
        execution = f"/v1/api/v1/executions/flytesnacks/development/{name}"
        show("get it", client.get(execution))
        show(
            "list executions (limit is required by Flyte Admin)",
            client.get("/v1/api/v1/executions/flytesnacks/development", params={"limit": 5}),
        )
        show("terminate it", client.request("DELETE", execution, json={"cause": "demo"}))
        show("an unknown execution: the upstream 404 passes through", client.get(execution + "x"))


async def mcp_examples(url: str) -> None:
    """List the tools and call two of them through the generated MCP server."""
    async with Client(url) as client:
        tools = await client.list_tools()
        print(f"\n# MCP tools/list at {url}")
        for tool in tools.tools:
            print(f"  {tool.name}: {tool.description}")
        arguments = {"id.project": "flytesnacks", "id.domain": "development", "query": {"limit": 2}}
        result = await client.call_tool("list-workflow-executions", arguments)
        print(f"\n# tools/call list-workflow-executions {json.dumps(arguments)}")
        print(f"→ isError={result.is_error} {result.content[0].text[:300]}")  # type: ignore[union-attr]
        missing = {"id.project": "flytesnacks", "id.domain": "development", "id.name": "nope"}
        result = await client.call_tool("retrieve-workflow-execution", missing)
        print(f"\n# tools/call retrieve-workflow-execution {json.dumps(missing)}")
        print(f"→ isError={result.is_error} {result.content[0].text[:300]}")  # type: ignore[union-attr]


def main() -> int:
    """Parse options, set everything up, run the examples, wait."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=REPO / "specs/flyte-admin-executions.yaml")
    parser.add_argument("--out", type=Path, default=REPO / "out")
    parser.add_argument(
        "--target", type=Path, help="pip --target directory instead of the virtualenv"
    )
    parser.add_argument("--no-wait", action="store_true", help="exit after the examples")
    args = parser.parse_args()
    ports = {
        "simulator": os.environ.get("DEMO_SIMULATOR_PORT", "30080"),
        "rest": os.environ.get("DEMO_REST_PORT", "8080"),
        "mcp": os.environ.get("DEMO_MCP_PORT", "9090"),
    }
    naftiko_gen = str(Path(sys.executable).parent / "naftiko-gen")
    # Absolute paths: relative ones are the caller's, and pip takes a bare "out" for the
    # name of a project on the package index.
    spec, out = args.spec.resolve(), args.out.resolve()
    run([naftiko_gen, "build", str(spec), "-o", str(out)])
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation"]
    if args.target:
        install += ["--no-deps", "--target", str(args.target.resolve())]
    run([*install, str(out)])
    env = {PREFIX + "REST_PORT": ports["rest"], PREFIX + "MCP_PORT": ports["mcp"]}
    if args.target:
        env["PYTHONPATH"] = str(args.target.resolve())
    servers: list[ServerProcess] = []
    try:
        simulator = start_server(
            [sys.executable, "-m", "simulator.flyte_admin", "--port", ports["simulator"]],
            expected=1,
            cwd=REPO,
        )
        servers.append(simulator)
        upstream = simulator.url("simulator")
        env[PREFIX + "ADMIN_EXECUTIONS_BASE_URL"] = upstream
        generated = start_server([sys.executable, "-m", PACKAGE, "all"], expected=2, env=env)
        servers.append(generated)
        rest, mcp = generated.url("REST"), generated.url("MCP") + "/mcp"
        rest_examples(rest)
        anyio.run(mcp_examples, mcp)
        print(
            f"\nFlyte Admin simulator: {upstream}\n"
            f"REST adapter:          {rest}   (OpenAPI: {rest}/docs)\n"
            f"MCP adapter:           {mcp}   (Streamable HTTP)\n"
            f"MCP over stdio:        {PREFIX}ADMIN_EXECUTIONS_BASE_URL={upstream} "
            f"python -m {PACKAGE} mcp --transport stdio",
            flush=True,
        )
        if not args.no_wait:
            print("\nPress Ctrl-C to stop.", flush=True)
            generated.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for server in reversed(servers):
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
