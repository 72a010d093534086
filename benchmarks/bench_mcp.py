"""Section ``mcp``: the generated MCP server against ``FastMCP.from_openapi``.

The same tool on both servers (retrieve one execution), called back to back by N sessions of
the official ``mcp`` client (``mcp_load.py``), runs interleaved; and one call per server with
an answer that spells a 64-bit integer as a JSON string, as Flyte Admin does.
"""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import dataclass, field

import load_points
from benchlib import BENCH, BudgetSpent, Server, loadavg, log, median, pinned, run_json
from report_format import not_measured, ratio, stat_num, table, titled_table
from results import Results
from section import Context, Section
from servers import (
    AUX_CPU,
    MCP_ARGS,
    MCP_TOOLS,
    ServerMemory,
    fleet,
    mcp_point,
    start_fastmcp,
    start_generated,
)

CPU_TEXT = (
    "A tool call over Streamable HTTP costs the *client* a lot of CPU too (the `mcp` SDK "
    "client is Python). When the client's CPU use is near 100 % the calls/s figure is "
    "bounded by the client, and the server's CPU time per call is the better comparison of "
    "the two servers."
)
CPU_COLUMNS = [
    "sessions",
    "generated CPU/call",
    "generated server CPU use",
    "client CPU use (vs generated)",
    "FastMCP CPU/call",
    "FastMCP server CPU use",
    "client CPU use (vs FastMCP)",
    "FastMCP CPU/call ÷ generated",
    "errors",
]


@dataclass
class ToolCheck:
    """The outcome of one tool call: an error result, an exception in the client, or success."""

    is_error: bool = False
    raised: bool = False
    text: str = ""
    structured: bool | None = None


@dataclass
class McpResults:
    """Tool calls/s, latency and CPU of each server at each number of sessions."""

    points: load_points.Points = field(default_factory=dict)
    servers: dict[str, ServerMemory] = field(default_factory=dict)
    tools: dict[str, str] = field(default_factory=dict)
    arguments: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """Target → why it was not measured."""
    int64_check: dict[str, ToolCheck] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run(ctx: Context, mcp: McpResults) -> None:
    """Start the servers, call the tool once on each, check the int64 answer, then measure."""
    cfg = ctx.cfg
    mcp.tools, mcp.arguments = dict(MCP_TOOLS), dict(MCP_ARGS)
    with fleet(ctx) as started:
        stub, servers = started.stub, started.servers
        servers["generated"] = start_generated(ctx, "mcp", stub.url)
        if ctx.env.sniffio and cfg.mcp_sniffio_sessions:
            servers["generated+sniffio"] = start_generated(ctx, "mcp", stub.url, sniffio=True)
        try:
            servers["fastmcp"] = start_fastmcp(ctx, stub.url)
        except RuntimeError as error:
            mcp.errors["fastmcp"] = str(error)[-1500:]
        for target, server in servers.items():
            mcp.servers[target] = ServerMemory(idle_kib=server.memory())
        for target, server in list(servers.items()):  # smoke + warm-up: errors are recorded
            try:
                call(ctx, server, target, 1, cfg.mcp_warmup_s)
            except RuntimeError as error:
                mcp.errors[target] = str(error)[-1500:]
                server.stop()
                del servers[target]
        for target, server in servers.items():
            if "+" not in target:
                mcp.int64_check[target] = int64_check(ctx, server.url + "/mcp", MCP_TOOLS[target])
        for index in range(cfg.mcp_runs):
            for sessions in cfg.mcp_sessions:
                for target, server in servers.items():
                    if target.endswith("+sniffio") and sessions not in cfg.mcp_sniffio_sessions:
                        continue
                    if ctx.budget.remaining() < 60:
                        mcp.notes.append("stopped early: time budget")
                        raise BudgetSpent
                    before, stub_before = server.cpu(), stub.cpu()
                    data = call(ctx, server, target, sessions, cfg.mcp_duration)
                    data.server_cpu_s = server.cpu() - before
                    data.stub_cpu_s = stub.cpu() - stub_before
                    data.run = index
                    mcp.points.setdefault(f"sessions={sessions}", {}).setdefault(target, []).append(
                        data
                    )
            log(f"mcp: run {index + 1} done (load {loadavg()})")
        for target, server in servers.items():
            mcp.servers[target].after_load_kib = server.memory()


def call(
    ctx: Context, server: Server, target: str, sessions: int, duration: float
) -> load_points.LoadRun:
    """``sessions`` clients calling the target's tool for ``duration`` seconds."""
    tool = MCP_TOOLS[target.split("+")[0]]
    return mcp_point(ctx, server.url + "/mcp", tool, MCP_ARGS, sessions, duration)


def int64_check(ctx: Context, url: str, tool: str) -> ToolCheck:
    """Flyte Admin spells 64-bit integers as JSON strings: does the server pass such answers on?"""
    arguments = json.dumps({**MCP_ARGS, "id.name": "int64-as-string"})
    command = pinned(
        AUX_CPU,
        [ctx.env.interpreter(), str(BENCH / "mcp_load.py"), url, tool, arguments, "--check"],
    )
    try:
        data = run_json(command, timeout=120)
    except (RuntimeError, subprocess.SubprocessError) as error:
        return ToolCheck(is_error=True, text=str(error)[-400:])
    return ToolCheck(
        is_error=bool(data.get("is_error")),
        raised=bool(data.get("raised")),
        text=str(data.get("text", "")),
        structured=data.get("structured"),
    )


# --------------------------------------------------------------------------- report


def ratios(results: Results) -> dict[str, load_points.PointRatios]:
    """Per number of sessions: the generated server over FastMCP."""
    mcp = MCP.result(results)
    return load_points.point_ratios(mcp.points, "fastmcp") if mcp else {}


def target(results: Results) -> list[str]:
    """The target row: generated MCP ≥ 2 × FastMCP."""

    def measured_text(measured: dict[str, float], g: float) -> str:
        points = ", ".join(f"{p}: {ratio(v)}" for p, v in measured.items())
        return f"{ratio(g)} (geometric mean; {points})"

    title = "generated MCP ≥ 2 × FastMCP.from_openapi (tool calls/s)"
    short = "generated MCP ≥ 2 × FastMCP.from_openapi"
    return load_points.ratio_target(ratios(results), short, title, 2, measured_text)


def chapter(results: Results) -> str:
    """``## 3. MCP runtime``."""
    mcp = MCP.result(results)
    if mcp is None:
        return not_measured("3. MCP runtime", results.errors.get("mcp"))
    out = ["## 3. MCP runtime\n"]
    mr = ratios(results)
    rows = []
    for point, targets in mcp.points.items():
        e = mr.get(point, load_points.PointRatios())
        f = targets.get("fastmcp", [])
        rows.append(
            [
                point,
                stat_num(e.rps.get("generated", []), 0),
                stat_num(e.rps.get("fastmcp", []), 0),
                load_points.paired_text(e),
                *load_points.latency_cells(targets.get("generated", [])),
                *load_points.latency_cells(f),
            ]
        )
    for point, targets in mcp.points.items():
        g, f = targets.get("generated+sniffio", []), targets.get("fastmcp", [])
        if g:
            r = median(load_points.rps(g)) / median(load_points.rps(f)) if f else math.nan
            rows.append(
                [
                    point + " (generated + sniffio)",
                    stat_num(load_points.rps(g), 0),
                    stat_num(load_points.rps(f), 0),
                    f"{ratio(r)}",
                    *load_points.latency_cells(g),
                    *load_points.latency_cells(f),
                ]
            )
    out.append("### Tool calls/s and latency\n")
    out.append(
        table(
            [
                "sessions",
                "generated calls/s",
                "FastMCP calls/s",
                "generated / FastMCP (per-run pairs)",
                "generated p50",
                "generated p99",
                "FastMCP p50",
                "FastMCP p99",
            ],
            rows,
        )
        + "\n"
    )
    out.append(cpu_table(mcp, mr))
    checks = mcp.int64_check
    if checks:
        out.append(int64_table(checks))
    for target_name in ("fastmcp", "generated"):
        if mcp.errors.get(target_name):
            out.append(f"- {target_name}_error: `{mcp.errors[target_name][-600:]}`\n")
    out += [f"- {note}\n" for note in mcp.notes]
    return "\n".join(out)


def cpu_table(mcp: McpResults, mr: dict[str, load_points.PointRatios]) -> str:
    """Server CPU per tool call, and how busy the server and the client were."""
    rows = []
    for point, targets in mcp.points.items():
        e = mr.get(point, load_points.PointRatios())
        row = [point]
        sniffio_text = ""
        if targets.get("generated+sniffio"):
            gcpu = median(load_points.cpu_us(targets["generated+sniffio"]))
            fcpu = median(load_points.cpu_us(targets.get("fastmcp", [])))
            if gcpu:
                sniffio_text = (
                    f"; with sniffio: generated {gcpu:.0f} µs/call, FastMCP ÷ it "
                    f"{ratio(fcpu / gcpu)}"
                )
        for t in ("generated", "fastmcp"):
            row += load_points.cpu_cells(targets.get(t, []), "server", "client")
        row.append(ratio(e.cpu_ratio) + sniffio_text)
        row.append(str(load_points.errors(targets)))
        rows.append(row)
    return titled_table(
        "Server CPU per tool call, and who was saturated", CPU_TEXT, CPU_COLUMNS, rows
    )


def int64_table(checks: dict[str, ToolCheck]) -> str:
    """The int64-as-string check, one row per server."""
    rows = [
        [
            t,
            (
                ("error (the call raised in the client)" if c.raised else "error")
                if c.is_error
                else "ok"
            ),
            (
                f"`{' '.join(c.text.split())[:300]}`"
                if c.is_error
                else "the answer is passed through as structured content"
            ),
        ]
        for t, c in checks.items()
    ]
    out = [
        "### Correctness check: an answer with a 64-bit integer spelled as a JSON string\n",
        'Flyte Admin (grpc-gateway) writes 64-bit integers as JSON strings, e.g. `"nesting": "0"`, '
        "while the OpenAPI document declares `integer`. One call per server with such an answer "
        "(the stub serves it for the execution name `int64-as-string`; the benchmark's answer "
        "omits that field so both servers succeed):\n",
        table(["server", "outcome", "detail"], rows) + "\n",
    ]
    if any(c.raised for c in checks.values()):
        out.append(
            "The error is raised by the `mcp` client: FastMCP advertises an output schema derived "
            "from the OpenAPI document (`integer` for 64-bit fields) and the client validates the "
            "structured content against it, so any answer shaped like Flyte Admin's (64-bit "
            "integers as strings, as the project's simulator also sends) fails. The generated "
            "server declares "
            '`{"type": "object"}` and passes the answer on unchanged.\n'
        )
    return "\n".join(out)


MCP = Section(
    "mcp",
    "MCP tool calls/s, latency and CPU: generated vs FastMCP.from_openapi",
    McpResults,
    run,
)
