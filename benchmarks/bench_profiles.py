"""Section ``profiles``: cProfile of each server under the same load: where a request's time goes.

Each server runs under ``profiled.py``, which profiles only between SIGUSR1 and SIGUSR2, so
start-up and the warm-up stay out of the profile. Own time is grouped by package (C
built-ins charged to their Python caller) and divided by the requests served.
"""

from __future__ import annotations

import pstats
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_setup import SNIFFIO_DIR
from benchlib import BENCH, WORK, pinned, run_json, start_server
from report_format import table
from results import Results
from section import Context, Section
from servers import (
    AUX_CPU,
    GET_PATH,
    MCP_ARGS,
    MCP_TOOLS,
    POST_PATH,
    SUT_CPU,
    fleet,
    generated_env,
    mcp_point,
    post_body,
    wrk_point,
)

PROFILE_GROUPS = [
    ("import system (failed imports at run time)", ("<frozen importlib", "_distutils_hack")),
    ("generated package (ours)", ("/work/gen/",)),
    ("hand-written proxy", ("handwritten_proxy.py",)),
    ("fastmcp", ("/fastmcp/",)),
    ("mcp SDK", ("/mcp/", "/mcp_types/")),
    ("FastAPI", ("/fastapi/",)),
    ("Starlette", ("/starlette/",)),
    ("uvicorn + h11", ("/uvicorn/", "/h11/")),
    ("httpx + httpcore", ("/httpx/", "/httpcore/", "/httpx2/", "/httpcore2/")),
    ("pydantic", ("/pydantic/", "/pydantic_core/")),
    ("jsonschema", ("/jsonschema/", "/referencing/", "/jsonschema_specifications/", "/rpds")),
    ("anyio + sse-starlette", ("/anyio/", "/sse_starlette/")),
    ("asyncio + selectors + socket", ("/asyncio/", "selectors.py", "socket.py", "ssl.py")),
    ("logging", ("/logging/",)),
    ("json", ("/json/",)),
]
IDLE = "idle wait (epoll)"
PAIRS = (
    ("REST generated", "REST hand-written", "REST: generated server vs hand-written proxy"),
    ("MCP generated", "MCP FastMCP.from_openapi", "MCP: generated server vs FastMCP.from_openapi"),
)


@dataclass
class FunctionCost:
    """One function's own and cumulative time per request."""

    function: str
    tottime_us_per_request: float
    cumtime_us_per_request: float


@dataclass
class ServerProfile:
    """Where one server's time per request went (``error`` set: not profiled)."""

    error: str | None = None
    current_async_library_per_request: float = 0.0
    """Calls of httpcore 1.x's ``current_async_library()`` (without sniffio: failed imports)."""
    requests: int = 0
    total_s: float = 0.0
    per_request_us: dict[str, float] = field(default_factory=dict)
    """Package group → µs of own time per request, largest first."""
    top: list[FunctionCost] = field(default_factory=list)


@dataclass
class SniffioProbe:
    """Cost of httpcore's per-request ``import sniffio`` when sniffio is not installed."""

    sniffio_installed: bool = True
    us_per_call: float | None = None
    sys_path_entries: int | None = None
    us_per_call_with_sniffio: float | None = None
    error: str | None = None


@dataclass
class ProfilesResults:
    """Each server's profile under load, and the sniffio probe."""

    profiles: dict[str, ServerProfile] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sniffio: SniffioProbe | None = None


def profile_group(filename: str) -> str:
    """The package group a source file belongs to."""
    for label, needles in PROFILE_GROUPS:
        if any(n in filename for n in needles):
            return label
    return "other (stdlib, interpreter)"


def summarize_profile(path: Path, requests: int) -> ServerProfile:
    """Own time per request by package group, and the functions with the most own time."""
    raw: dict[Any, Any] = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    groups: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, callers) in raw.items():
        if filename == "~" and callers:
            if "select" in name or "epoll" in name:
                groups[IDLE] = groups.get(IDLE, 0.0) + tottime
                continue
            edge_total = sum(edge[2] for edge in callers.values()) or 1.0
            for (caller_file, _l, _n), edge in callers.items():
                label = profile_group(caller_file)
                groups[label] = groups.get(label, 0.0) + tottime * edge[2] / edge_total
        else:
            label = profile_group(filename)
            groups[label] = groups.get(label, 0.0) + tottime
    groups.pop(IDLE, None)
    probes = sum(
        v[1]
        for k, v in raw.items()
        if k[2] == "current_async_library" and k[0].endswith("httpcore/_synchronization.py")
    )
    ordered = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)
    busy = [
        (k, v) for k, v in ordered if not (k[0] == "~" and ("select" in k[2] or "epoll" in k[2]))
    ]

    def per_request_us(seconds: float) -> float:
        return seconds / requests * 1e6 if requests else 0.0

    return ServerProfile(
        current_async_library_per_request=probes / requests if requests else 0.0,
        requests=requests,
        total_s=sum(groups.values()),
        per_request_us=(
            {
                k: per_request_us(v)
                for k, v in sorted(groups.items(), key=lambda kv: kv[1], reverse=True)
            }
            if requests
            else {}
        ),
        top=[
            FunctionCost(
                f"{k[0].split('site-packages/')[-1].split('/benchmarks/')[-1]}:{k[1]}({k[2]})",
                per_request_us(v[2]),
                per_request_us(v[3]),
            )
            for k, v in busy[:12]
        ],
    )


def run(ctx: Context, out: ProfilesResults) -> None:
    """Profile each server under the same load (start-up and warm-up excluded)."""
    profile_dir = WORK / "profiles"
    profile_dir.mkdir(parents=True, exist_ok=True)
    python = ctx.env.interpreter()
    with fleet(ctx) as started:
        upstream = {"UPSTREAM": started.stub.url}
        generated = generated_env(ctx.gen, started.stub.url)
        handwritten = [str(BENCH / "handwritten_proxy.py"), "--port", "0"]
        targets = [
            ("REST generated", python, ["-m", ctx.gen.package, "rest"], generated),
            ("REST hand-written", python, handwritten, upstream),
            ("MCP generated", python, ["-m", ctx.gen.package, "mcp"], generated),
        ]
        fastmcp = ctx.env.tool_python("fastmcp")
        if fastmcp is not None:
            command = [str(BENCH / "fastmcp_server.py"), "--port", "0"]
            targets.append(("MCP FastMCP.from_openapi", str(fastmcp), command, upstream))
        for label, interpreter, command, env in targets:
            if ctx.budget.remaining() < 25:
                out.notes.append(f"{label}: skipped (time budget)")
                continue
            path = profile_dir / (re.sub(r"[^A-Za-z]+", "-", label) + ".prof")
            wrapped = [interpreter, str(BENCH / "profiled.py"), str(path), *command]
            out.profiles[label] = profile_server(ctx, label, wrapped, env, path)
        out.sniffio = sniffio_probe(ctx)


def profile_server(
    ctx: Context, label: str, command: list[str], env: dict[str, str], path: Path
) -> ServerProfile:
    """Start one server under ``profiled.py``, warm it up, profile it under load, summarise."""
    path.unlink(missing_ok=True)
    try:
        server = start_server(
            "prof-" + re.sub(r"[^A-Za-z]+", "-", label), command, env=env, cpu=SUT_CPU
        )
    except RuntimeError as error:
        return ServerProfile(error=str(error)[-800:])
    duration, load = ctx.cfg.profile_duration, ctx.cfg.profile_concurrency
    try:
        if label.startswith("REST"):
            get_url, post_url = server.url + "/v1" + GET_PATH, server.url + "/v1" + POST_PATH
            wrk_point(
                ctx, get_url, "GET", "", load, ctx.cfg.warmup_s, AUX_CPU
            )  # warm-up, not profiled
            server.process.send_signal(signal.SIGUSR1)
            requests = wrk_point(ctx, get_url, "GET", "", load, duration, AUX_CPU).requests
            requests += wrk_point(
                ctx, post_url, "POST", post_body(), load, duration, AUX_CPU
            ).requests
        else:
            tool = MCP_TOOLS["generated" if "generated" in label else "fastmcp"]
            mcp_point(
                ctx, server.url + "/mcp", tool, MCP_ARGS, 1, ctx.cfg.mcp_warmup_s
            )  # warm-up, not profiled
            server.process.send_signal(signal.SIGUSR1)
            requests = mcp_point(
                ctx, server.url + "/mcp", tool, MCP_ARGS, load, 2 * duration
            ).requests
        server.process.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (path.exists() and path.stat().st_size > 0):
            time.sleep(0.1)
        time.sleep(0.3)
    except (RuntimeError, subprocess.SubprocessError) as error:
        return ServerProfile(error=str(error)[-800:])
    finally:
        server.stop(timeout=20)
    return (
        summarize_profile(path, requests)
        if path.exists()
        else ServerProfile(error="no profile written")
    )


SNIFFIO_CODE = (
    "import asyncio, json, sys, time\n"
    "import httpcore._synchronization as s\n"
    "try:\n    import sniffio; present = True\nexcept ImportError:\n    present = False\n"
    "async def main():\n"
    "    n = 3000\n    t = time.perf_counter()\n"
    "    for _ in range(n): s.current_async_library()\n"
    "    return (time.perf_counter() - t) / n\n"
    "print('BENCH_JSON ' + json.dumps({'sniffio_installed': present, 'us_per_call': "
    "asyncio.run(main()) * 1e6, 'sys_path_entries': len(sys.path)}))\n"
)


def sniffio_probe(ctx: Context) -> SniffioProbe:
    """Time httpcore's ``current_async_library()`` in the benchmark venv, and with sniffio added."""
    probe = SniffioProbe()
    command = pinned(SUT_CPU, [ctx.env.interpreter(), "-c", SNIFFIO_CODE])
    try:
        data = run_json(command, timeout=60)
        probe.sniffio_installed = bool(data["sniffio_installed"])
        probe.us_per_call = float(data["us_per_call"])
        probe.sys_path_entries = int(data["sys_path_entries"])
        if SNIFFIO_DIR.exists():
            probe.us_per_call_with_sniffio = float(
                run_json(command, timeout=60, env={"PYTHONPATH": str(SNIFFIO_DIR)})["us_per_call"]
            )
    except (RuntimeError, subprocess.SubprocessError) as error:
        probe.error = str(error)[-300:]
    return probe


# --------------------------------------------------------------------------- report


def profile_delta(
    profiles: dict[str, ServerProfile], a: str, b: str
) -> list[tuple[str, float, float]]:
    """Per package group: µs per request in ``a`` and in ``b``, largest excess of ``a`` first."""
    pa = profiles[a].per_request_us if a in profiles else {}
    pb = profiles[b].per_request_us if b in profiles else {}
    keys = sorted(set(pa) | set(pb))
    return sorted(
        ((k, pa.get(k, 0.0), pb.get(k, 0.0)) for k in keys), key=lambda r: r[1] - r[2], reverse=True
    )


def chapter(results: Results) -> str:
    """``## Where the time goes, and what is ours``: the profiles side by side (Findings follow)."""
    section = PROFILES.result(results)
    profiles = section.profiles if section else {}
    out = ["## Where the time goes, and what is ours\n"]
    for a, b, title in PAIRS:
        if a not in profiles or profiles[a].error is not None:
            continue
        rows = [
            [
                k,
                f"{va:.0f}",
                f"{vb:.0f}" if b in profiles else "–",
                f"{va - vb:+.0f}" if b in profiles else "–",
            ]
            for k, va, vb in profile_delta(profiles, a, b)
        ]
        ta = sum(profiles[a].per_request_us.values())
        tb = sum(profiles[b].per_request_us.values()) if b in profiles else 0
        rows.append(
            ["**total**", f"{ta:.0f}", f"{tb:.0f}" if tb else "–", f"{ta - tb:+.0f}" if tb else "–"]
        )
        out.append(
            f"### {title} (cProfile, µs of own time per request, "
            f"{results.config.profile_concurrency} concurrent)\n"
        )
        out.append(
            "Measured under cProfile (which inflates Python-heavy code), so the totals exceed the "
            "real CPU per request above; the split between packages is what matters. C built-ins "
            "are charged to their caller.\n"
        )
        out.append(table(["package", a, b, "difference"], rows) + "\n")
        calls = [
            f"{label}: {profiles[label].current_async_library_per_request:.1f}"
            for label in (a, b)
            if label in profiles and profiles[label].error is None
        ]
        out.append(
            "Calls of httpcore 1.x's `current_async_library()` (each one a failed `import "
            "sniffio`) per request — "
            + ", ".join(calls)
            + " (FastMCP uses httpcore2, which is not counted).\n"
        )
        top = profiles[a].top[:8]
        if top:
            rows = [
                [
                    f"`{t.function}`",
                    f"{t.tottime_us_per_request:.1f}",
                    f"{t.cumtime_us_per_request:.1f}",
                ]
                for t in top
            ]
            out.append(
                table([f"top own time in {a}", "own µs/request", "cumulative µs/request"], rows)
                + "\n"
            )
    return "\n".join(out)


PROFILES = Section(
    "profiles", "cProfile of each server under load, by package", ProfilesResults, run
)
