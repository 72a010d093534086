"""Render ``RESULTS.md`` from the typed results (``report.py`` alone: again from ``results.json``).

The document: a header, the targets (each row from its section's module), the machine, how it
was measured, the chapters (``registry.CHAPTERS``), the Findings (across sections,
``findings.py``) and the problems met.

    python benchmarks/report.py [RESULTS_JSON [RESULTS_MD]]  # work/results.json → RESULTS.md
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import bench_batch
import bench_generators
import bench_mcp
import bench_rest
import bench_soak
import findings
import report_build
from bench_profiles import PROFILES
from benchlib import BENCH, WORK
from registry import CHAPTERS, section_types
from report_format import table
from results import Results, load

TARGETS: list[Callable[[Results], list[str]]] = [
    bench_rest.target,
    bench_rest.ceiling_target,
    bench_soak.target,
    bench_mcp.target,
    report_build.flyte_target,
    report_build.flat_target,
    bench_generators.target,
    bench_batch.results_target,
]
"""The rows of the targets table, in order."""


def render(results: Results) -> str:
    """The whole ``RESULTS.md``."""
    m = results.machine
    out = ["# Benchmarks\n"]
    out.append(
        f"Written by `make bench` (`benchmarks/run.py`) on {m.date_utc}; `run.py` took "
        f"{results.total_s / 60:.1f} minutes (plus the project venv, when `make` has to create "
        f"it). Compiler revision: {results.revision}. Every figure is the median over repeated "
        "runs with the spread as (min–max); ratios are of medians. Raw data: "
        "`benchmarks/work/results.json` (not committed).\n"
    )
    if results.smoke:
        out.append(
            "> **Smoke run (`--smoke`)**: every section at its smallest, nothing installed; the "
            "figures are not meaningful.\n"
        )
    elif results.quick:
        out.append(
            "> **Quick smoke run (`--quick`)**: durations and repetitions are cut down; the "
            "figures are not meaningful.\n"
        )
    out.append("## Targets\n")
    out.append(table(["target", "measured", "result"], [row(results) for row in TARGETS]) + "\n")
    out.append(machine_section(results))
    out.append(method_section(results))
    out += [chapter(results) for chapter in CHAPTERS]
    out.append(findings.render(results))
    out.append(problems_section(results))
    return "\n".join(out).rstrip() + "\n"


def machine_section(results: Results) -> str:
    """``## Machine and versions``."""
    m = results.machine
    env = results.environment
    rows = [
        ["CPU", f"{m.cpu_model}, {m.cores} cores"],
        ["memory", m.memory],
        ["system", f"{m.os}, Linux {m.kernel}"],
        ["Python", f"{m.python_impl} {m.python}"],
        ["date", m.date_utc],
        [
            "load average (1, 5, 15 min) and CPU pressure (share of the last minute in which some "
            "task waited for a CPU), at the start of each section",
            "; ".join(f"{k}: {v}" for k, v in results.load.items()),
        ],
        [
            "compiler (project .venv)",
            ", ".join(f"{k} {v}" for k, v in env.project_versions.items()),
        ],
        [
            "benchmark venv (benchmarks/.venv)",
            ", ".join(f"{k} {v}" for k, v in env.versions.items()),
        ],
        [
            "load generator",
            f"{env.wrk_version or 'Python fallback (benchmarks/loadgen.py)'} ({env.wrk_note})",
        ],
        ["benchmark venv", env.created],
    ]
    return "## Machine and versions\n\n" + table(["", ""], rows) + "\n"


def method_section(results: Results) -> str:
    """``## How it was measured``."""
    cfg = results.config
    pin = results.pinning
    lines = ["## How it was measured\n"]
    lines.append(
        "- **Build.** *In-process*: `benchmarks/build_worker.py` runs in a fresh interpreter, "
        "imports the compiler, compiles a 3-operation synthetic spec once (templates compiled, "
        "validator and black initialised, as in any process that has built before), then compiles "
        "the measured spec calling each phase function directly (`load_document`, `check_schema`, "
        "`check_semantics`, `lower`, `render_parts`, `format_files` on the rendered modules), "
        "exactly as `pipeline.compile_spec` does. The compiler caches black's output by content "
        "(`NAFTIKO_GEN_CACHE_DIR`); every sample gets its own empty cache, so a *first build* "
        "really formats, and the *repeated build* in the same process is the cache-hit case "
        "(nothing under `~/.cache` is read or written). The first compilation "
        'of the spec in each process is the figure reported ("first build"); for small specs the '
        "same "
        'process then repeats it ("repeated build", where the schema check\'s memo already holds '
        "the spec). One process per sample. *Whole-process*: `naftiko-gen build SPEC -o NEW_DIR` "
        "as a subprocess (interpreter start-up, imports, compile, write). The other generators are "
        "timed the same way (whole process) on `specs/flyte-admin-executions.openapi.json`, the "
        "OpenAPI 3 equivalent of the Flyte capability."
    )
    lines.append(
        "- **REST.** An upstream stub (`upstream_stub.py`: raw asyncio, fixed 1 KiB JSON answer) "
        "stands for Flyte Admin. Each point runs `wrk -t1` (or the Python fallback) for "
        f"{cfg.rest_duration} s, {cfg.rest_runs} runs, interleaved across the targets (so "
        "background load hits them alike), after a 1 s warm-up per target and method. GET = "
        f"retrieve one execution (`/v1/api/v1/executions/{{project}}/{{domain}}/{{name}}` → `GET "
        "/api/v1/executions/...`), POST = create an execution (415-byte JSON body). The generated "
        "server runs as `python -m PACKAGE rest` does (uvloop, httptools, aiohttp's pool under "
        "httpx), the plain proxy on uvicorn's asyncio loop and h11, the best proxy on uvloop and "
        "httptools with an aiohttp session; all log access lines at INFO to a file."
    )
    lines.append(
        "- **MCP.** `mcp_load.py`: the official `mcp` SDK client (`mcp.Client`, Streamable HTTP), "
        f"N sessions (1 and 8), each calling the tool back to back for {cfg.mcp_duration} s, "
        f"{cfg.mcp_runs} runs interleaved. Same tool on both servers: retrieve one execution "
        "(`retrieve-workflow-execution` generated, `AdminService_GetExecution` from FastMCP), "
        "same arguments, same upstream stub."
    )
    if pin:
        lines.append(
            "- **CPU placement (taskset).** The machine has 2 cores. The server under test runs "
            "alone on CPU 1; the load generator and the upstream stub share CPU 0. For the "
            "direct-to-stub REST runs the stub has CPU 0 alone and `wrk` moves to CPU 1. Server "
            "CPU time per request is read from /proc before and after each run, so a saturated "
            "load generator can be told from a slow server."
        )
    else:
        lines.append("- **CPU placement.** Not pinned (taskset unavailable or a single core).")
    lines.append(
        "- **Footprint.** Import time: wall time of `python -c 'import MODULE'` minus that of "
        "`python -c pass`, fresh interpreter each time (`-X importtime` for the breakdown). "
        "Start-up: from `Popen` to the first successful request (REST: a GET through to the stub; "
        "MCP: an `initialize` POST), polling every 5 ms. Memory: VmRSS (resident) and VmHWM (peak "
        "resident) from /proc."
    )
    if results.environment.bytecode:
        lines.append(f"- **Bytecode.** {results.environment.bytecode}.")
    lines.append(
        "- **Noise.** Other work may share this machine: a load average above 2 or a CPU pressure "
        "above a few per cent (table above) means other processes competed for the two cores, "
        "including the one pinned to the server under test (pinning keeps our processes apart; it "
        "does not keep others out). Samples of the compared targets are interleaved (REST, MCP, "
        "and the build specs round-robin), so such load hits them alike and the ratios hold up "
        "better than the absolute figures; the min–max spreads show how much it moved them."
    )
    return "\n".join(lines) + "\n"


def problems_section(results: Results) -> str:
    """``## Problems met, and notes``: set-up notes, failures, skipped work, time per section."""
    env = results.environment
    out = ["## Problems met, and notes\n"]
    out += [f"- {note}" for note in env.notes]
    out += bench_generators.problems(results)
    if not env.wrk:
        out.append(
            f"- wrk unavailable ({env.wrk_note}); the Python load generator `loadgen.py` was used."
        )
    out += report_build.problems(results)
    for name, err in results.errors.items():
        out.append(f"- section `{name}` failed or was skipped:\n\n```\n{err[-1500:]}\n```")
    profiles = PROFILES.result(results)
    out += [f"- profiles: {n}" for n in (profiles.notes if profiles else [])]
    if results.section_s:
        out.append(
            "- Time per section: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in results.section_s.items())
            + f"; total {results.total_s:.0f} s."
        )
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    """Re-render ``RESULTS.md`` from a saved ``results.json``."""
    source = Path(argv[0]) if argv else WORK / "results.json"
    target = Path(argv[1]) if len(argv) > 1 else BENCH / "RESULTS.md"
    target.write_text(render(load(source, section_types())))


if __name__ == "__main__":
    main(sys.argv[1:])
