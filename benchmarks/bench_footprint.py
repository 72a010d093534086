"""Section ``footprint``: import time, start-up to the first served request, resident memory.

Import time is the wall time of ``python -c 'import MODULE'`` minus that of ``python -c pass``
(a fresh interpreter each time; ``-X importtime`` for the breakdown). Start-up runs from
``Popen`` to the first successful request (REST: a GET through to the stub; MCP: an
``initialize`` POST), polling every 5 ms.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench_mcp import MCP
from bench_rest import REST
from benchlib import (
    BENCH,
    Summary,
    free_port,
    log,
    memory_kib,
    new_log,
    spawn,
    stop_process,
    summary,
)
from report_format import sec, stat_num, stat_s, table
from results import Results
from section import Context, Section
from servers import GET_PATH, fleet, generated_env

MCP_INITIALIZE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "1"},
        },
    }
).encode()


@dataclass
class ImportTime:
    """Import time of one module, and what it pulls in."""

    bare_interpreter_s: Summary = field(default_factory=Summary)
    interpreter_plus_import_s: Summary = field(default_factory=Summary)
    import_s: Summary = field(default_factory=Summary)
    importtime_cumulative_s: float = 0.0
    heaviest: list[tuple[float, str]] = field(default_factory=list)
    """(cumulative seconds, top-level package), heaviest first."""


@dataclass
class Startup:
    """Start-up to the first served request, and resident memory just after it."""

    first_request_s: Summary = field(default_factory=Summary)
    idle_rss_mib: Summary = field(default_factory=Summary)


@dataclass
class FootprintResults:
    """Import times (the servers and single dependencies) and start-up of each server."""

    imports: dict[str, ImportTime] = field(default_factory=dict)
    dependency_import: dict[str, Summary] = field(default_factory=dict)
    startup: dict[str, Startup] = field(default_factory=dict)


def import_times(python: Path, module: str, env: dict[str, str], reps: int) -> ImportTime:
    """Wall time of ``import module`` in a fresh interpreter, minus an empty interpreter's."""
    run_env = {**os.environ, **env}

    def wall(code: str) -> float:
        t = time.perf_counter()
        subprocess.run(
            [str(python), "-c", code], check=True, env=run_env, timeout=120, capture_output=True
        )
        return time.perf_counter() - t

    bare = [wall("pass") for _ in range(reps)]
    full = [wall(f"import {module}") for _ in range(reps)]
    completed = subprocess.run(
        [str(python), "-X", "importtime", "-c", f"import {module}"],
        env=run_env,
        timeout=120,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in completed.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
    top = module.split(".")[0]
    own = sum(r[0] for r in rows if r[1] == 1 and r[2].split(".")[0] == top)
    heavy: dict[str, int] = {}  # the heaviest packages pulled in (cumulative)
    for cumulative, _depth, name in rows:
        root = name.split(".")[0]
        heavy[root] = max(heavy.get(root, 0), cumulative)
    heavy.pop(top, None)
    return ImportTime(
        bare_interpreter_s=summary(bare),
        interpreter_plus_import_s=summary(full),
        import_s=summary([f - b for f, b in zip(sorted(full), sorted(bare), strict=True)]),
        importtime_cumulative_s=own / 1e6,
        heaviest=sorted(((v / 1e6, k) for k, v in heavy.items()), reverse=True)[:8],
    )


def wait_first_request(
    port: int, kind: str, t0: float, process: subprocess.Popen[bytes], timeout: float = 60
) -> float:
    """Seconds from ``t0`` to the first successful request (REST GET, or MCP initialize)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        if kind == "rest":
            request = urllib.request.Request(f"http://127.0.0.1:{port}/v1{GET_PATH}")
        else:
            headers = {
                "content-type": "application/json",
                "accept": "application/json, text/event-stream",
            }
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/mcp", data=MCP_INITIALIZE, method="POST", headers=headers
            )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - 127.0.0.1
                response.read()
                if response.status == 200:
                    return time.perf_counter() - t0
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.005)
    raise RuntimeError("no successful request before the deadline")


def startup_runs(
    name: str, command: list[str], env: dict[str, str], port_var: str | None, kind: str, reps: int
) -> Startup:
    """``reps`` starts of a server on a free port (``port_var`` names its variable, else --port)."""
    times, rss = [], []
    for i in range(reps):
        port = free_port()
        run_env = dict(env)
        if port_var:
            run_env[port_var] = str(port)
        t0 = time.perf_counter()
        process = spawn(
            command if port_var else [*command, "--port", str(port)],
            new_log(f"startup-{name}-{i}"),
            run_env,
        )
        try:
            times.append(wait_first_request(port, kind, t0, process))
            time.sleep(0.3)
            rss.append(memory_kib(process.pid).get("VmRSS", 0) / 1024)
        finally:
            stop_process(process)
    return Startup(first_request_s=summary(times), idle_rss_mib=summary(rss))


def run(ctx: Context, foot: FootprintResults) -> None:
    """Import times of each server and dependency, then start-up of each server."""
    reps = ctx.cfg.footprint_reps
    python = Path(ctx.env.interpreter())
    pkg = ctx.gen.package
    env = {"PYTHONPATH": ctx.gen.dir}
    log("footprint: import times")
    foot.imports = {
        "generated (package + __main__: REST and MCP)": import_times(
            python, f"{pkg}.__main__", env, reps
        ),
        "generated REST module only": import_times(python, f"{pkg}.rest", env, reps),
        "generated MCP module only": import_times(python, f"{pkg}.mcp_server", env, reps),
        "hand-written proxy": import_times(
            python, "handwritten_proxy", {"PYTHONPATH": str(BENCH)}, reps
        ),
    }
    foot.dependency_import = {
        module: import_times(python, module, {}, reps).import_s for module in ctx.cfg.dependencies
    }
    fastmcp = ctx.env.tool_python("fastmcp")
    if fastmcp is not None:
        foot.imports["FastMCP server (fastmcp_server.py)"] = import_times(
            fastmcp, "fastmcp_server", {"PYTHONPATH": str(BENCH)}, reps
        )
    log("footprint: start-up to first served request")
    with fleet(ctx, stub_cpu=None) as started:
        genv = generated_env(ctx.gen, started.stub.url)
        rest_port, mcp_port = ctx.gen.prefix + "REST_PORT", ctx.gen.prefix + "MCP_PORT"
        upstream = {"UPSTREAM": started.stub.url}
        foot.startup = {
            "generated REST (`rest`)": startup_runs(
                "gen-rest", [str(python), "-m", pkg, "rest"], genv, rest_port, "rest", reps
            ),
            "generated MCP (`mcp`)": startup_runs(
                "gen-mcp", [str(python), "-m", pkg, "mcp"], genv, mcp_port, "mcp", reps
            ),
            "generated REST + MCP (`all`), first REST request": startup_runs(
                "gen-all", [str(python), "-m", pkg, "all"], genv, rest_port, "rest", reps
            ),
            "hand-written proxy": startup_runs(
                "handwritten",
                [str(python), str(BENCH / "handwritten_proxy.py")],
                upstream,
                None,
                "rest",
                reps,
            ),
        }
        if fastmcp is not None:
            foot.startup["FastMCP.from_openapi"] = startup_runs(
                "fastmcp",
                [str(fastmcp), str(BENCH / "fastmcp_server.py")],
                upstream,
                None,
                "mcp",
                reps,
            )


# --------------------------------------------------------------------------- report


def chapter(results: Results) -> str:
    """``## 4. Footprint``, with the memory of the runtime sections' servers under load."""
    foot = FOOTPRINT.result(results)
    out = ["## 4. Footprint\n"]
    if foot is None or not (foot.imports or foot.dependency_import or foot.startup):
        return out[0] + "\nNot measured.\n"
    rows = []
    for name, d in foot.imports.items():
        heavy = ", ".join(f"{k} {sec(v)}" for v, k in d.heaviest[:5])
        rows.append(
            [
                name,
                stat_s(d.import_s),
                sec(d.importtime_cumulative_s),
                stat_s(d.bare_interpreter_s),
                heavy,
            ]
        )
    out.append("### Import time\n")
    out.append(
        table(
            [
                "module",
                "import (wall, minus bare interpreter)",
                "`-X importtime` cumulative",
                "bare interpreter",
                "heaviest imports (cumulative)",
            ],
            rows,
        )
        + "\n"
    )
    if foot.dependency_import:
        out.append(
            "Import time of single dependencies in a fresh interpreter (each includes what it "
            "imports itself, so they overlap):\n"
        )
        out.append(
            table(
                ["module", "import time"],
                [[f"`{k}`", stat_s(v)] for k, v in foot.dependency_import.items()],
            )
            + "\n"
        )
    rows = [
        [name, stat_s(d.first_request_s), stat_num(d.idle_rss_mib.values, 1, " MiB")]
        for name, d in foot.startup.items()
    ]
    out.append("### Start-up to first served request, and idle memory\n")
    out.append(
        table(
            [
                "server",
                "start-up to first served request",
                "resident memory, idle (after the first request)",
            ],
            rows,
        )
        + "\n"
    )
    rows = []
    for label, runtime in (("REST", REST.result(results)), ("MCP", MCP.result(results))):
        for target, memory in (runtime.servers if runtime else {}).items():
            after = memory.after_load_kib
            rows.append(
                [
                    f"{label} {target}",
                    f"{memory.idle_kib.get('VmRSS', 0) / 1024:.1f} MiB",
                    f"{after.get('VmHWM', 0) / 1024:.1f} MiB" if after else "–",
                    f"{after.get('VmRSS', 0) / 1024:.1f} MiB" if after else "–",
                ]
            )
    if rows:
        out.append("### Resident memory under load (the runtime sections' servers)\n")
        out.append(
            table(["server", "idle, before load", "peak during load (VmHWM)", "after load"], rows)
            + "\n"
        )
    return "\n".join(out)


FOOTPRINT = Section(
    "footprint",
    "import time, start-up to the first request, resident memory",
    FootprintResults,
    run,
)
