"""The servers under load and the load generators, shared by the REST, MCP and profile sections.

CPU placement: CPU 1 runs the system under test alone; CPU 0 runs the load generator and the
upstream stub (for the direct-to-stub runs, the stub has CPU 0 alone and the load generator
moves to CPU 1).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from bench_setup import SNIFFIO_DIR, Generated
from benchlib import BENCH, BudgetSpent, Server, pinned, run_json, start_server
from load_points import LoadRun
from section import Context

SUT_CPU, AUX_CPU = 1, 0
FIXTURES = BENCH / "fixtures"
PROJECT = "flytesnacks"
DOMAIN = "development"
NAME = "bench"
GET_PATH = f"/api/v1/executions/{PROJECT}/{DOMAIN}/{NAME}"
POST_PATH = "/api/v1/executions"
MCP_ARGS = {"id.project": PROJECT, "id.domain": DOMAIN, "id.name": NAME}
MCP_TOOLS = {"generated": "retrieve-workflow-execution", "fastmcp": "AdminService_GetExecution"}
"""The same tool (retrieve one execution) on each MCP server."""


@dataclass
class ServerMemory:
    """Resident memory (VmRSS, VmHWM in KiB) of a server before and after load."""

    idle_kib: dict[str, int] = field(default_factory=dict)
    after_warmup_kib: dict[str, int] = field(default_factory=dict)
    after_load_kib: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- processes


@dataclass
class Fleet:
    """The upstream stub and the servers under test of one section, stopped together."""

    stub: Server
    servers: dict[str, Server] = field(default_factory=dict)


@contextlib.contextmanager
def fleet(ctx: Context, stub_cpu: int | None = AUX_CPU) -> Iterator[Fleet]:
    """A :class:`Fleet` with its stub started; :class:`BudgetSpent` ends it quietly."""
    started = Fleet(start_stub(ctx, cpu=stub_cpu))
    try:
        yield started
    except BudgetSpent:  # what was measured stands
        pass
    finally:
        for server in started.servers.values():
            server.stop()
        started.stub.stop()


def start_stub(ctx: Context, cpu: int | None = AUX_CPU, port: int = 0) -> Server:
    """The upstream stub (``upstream_stub.py``)."""
    command = [ctx.env.interpreter(), str(BENCH / "upstream_stub.py"), "--port", str(port)]
    return start_server("upstream-stub", command, cpu=cpu)


def revive_stub(ctx: Context, stub: Server, notes: list[str]) -> Server:
    """The stub again on the same port if its process has gone (something else may end it)."""
    if stub.process.poll() is None:
        return stub
    port = int(stub.url.rsplit(":", 1)[1])
    notes.append(
        f"the upstream stub exited (code {stub.process.returncode}) and was restarted on the same "
        "port; the affected point was repeated"
    )
    return start_stub(ctx, port=port)


def generated_env(gen: Generated, upstream: str, sniffio: bool = False) -> dict[str, str]:
    """Environment variables that point the generated package at ``upstream`` on free ports."""
    env = {gen.base_url_var: upstream, gen.prefix + "REST_PORT": "0", gen.prefix + "MCP_PORT": "0"}
    env["PYTHONPATH"] = gen.dir + (os.pathsep + str(SNIFFIO_DIR) if sniffio else "")
    return env


def start_generated(ctx: Context, mode: str, upstream: str, sniffio: bool = False) -> Server:
    """The generated package's ``rest`` or ``mcp`` server on the CPU of the system under test."""
    command = [ctx.env.interpreter(), "-m", ctx.gen.package, mode]
    name = f"generated-{mode}" + ("-sniffio" if sniffio else "")
    return start_server(
        name, command, env=generated_env(ctx.gen, upstream, sniffio=sniffio), cpu=SUT_CPU
    )


def start_fastmcp(ctx: Context, upstream: str) -> Server:
    """``FastMCP.from_openapi`` (``fastmcp_server.py``) on the CPU of the system under test."""
    python = ctx.env.tool_python("fastmcp")
    if python is None:
        raise RuntimeError("fastmcp is not installed")
    command = [str(python), str(BENCH / "fastmcp_server.py"), "--port", "0"]
    return start_server("fastmcp-from-openapi", command, env={"UPSTREAM": upstream}, cpu=SUT_CPU)


def post_body() -> str:
    """The POST request body (create an execution), compact JSON."""
    return json.dumps(
        json.loads((FIXTURES / "create_request.json").read_text()), separators=(",", ":")
    )


# --------------------------------------------------------------------------- load generators


def wrk_point(
    ctx: Context, url: str, method: str, body: str, connections: int, duration: float, cpu: int
) -> LoadRun:
    """HTTP load on ``url`` for ``duration`` seconds: wrk when installed, else ``loadgen.py``."""
    wrk = ctx.env.wrk
    env: dict[str, str] = {}
    if wrk:
        script = str(BENCH / "wrk_report.lua")
        seconds = max(1, math.ceil(duration))  # wrk takes whole seconds
        command = pinned(
            cpu,
            [
                wrk,
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script,
                url,
            ],
        )
        env = {"BENCH_METHOD": method, "BENCH_BODY": body}
    else:
        command = pinned(
            cpu,
            [
                ctx.env.interpreter(),
                str(BENCH / "loadgen.py"),
                url,
                "--connections",
                str(connections),
                "--duration",
                str(duration),
                "--method",
                method,
                "--body",
                body,
            ],
        )
    run = LoadRun.from_output(run_json(command, timeout=duration + 60, env=env))
    run.rps = run.requests / run.duration_s if run.duration_s else 0.0
    return run


def mcp_point(
    ctx: Context, url: str, tool: str, args: dict[str, str], sessions: int, duration: float
) -> LoadRun:
    """``sessions`` official MCP clients calling ``tool`` back to back for ``duration`` seconds."""
    command = pinned(
        AUX_CPU,
        [
            ctx.env.interpreter(),
            str(BENCH / "mcp_load.py"),
            url,
            tool,
            json.dumps(args),
            "--sessions",
            str(sessions),
            "--duration",
            str(duration),
        ],
    )
    return LoadRun.from_output(run_json(command, timeout=duration + 120))
