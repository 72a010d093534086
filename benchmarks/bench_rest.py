"""Section ``rest``: the generated REST server against hand-written Starlette proxies.

(a) the upstream stub directly, (b) the generated REST server, (c) the hand-written Starlette +
httpx proxy on plain uvicorn, (d) the best hand-written proxy on the generated package's
dependencies (Starlette + aiohttp on uvloop and httptools), and (b+)/(c+) the first two with
``sniffio`` on ``PYTHONPATH``. GET retrieves one execution, POST
creates one; every load point runs each target in turn, run after run, so that background
load hits them alike.
"""

from __future__ import annotations

import math
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

import load_points
from bench_setup import SNIFFIO_DIR
from benchlib import BENCH, BudgetSpent, Server, loadavg, log, median, start_server
from report_format import not_measured, ratio, stat_num, table, titled_table
from results import Results
from section import Context, Section
from servers import (
    AUX_CPU,
    GET_PATH,
    POST_PATH,
    SUT_CPU,
    Fleet,
    ServerMemory,
    fleet,
    post_body,
    revive_stub,
    start_generated,
    wrk_point,
)

METHODS = (("GET", GET_PATH), ("POST", POST_PATH))


CPU_TEXT = (
    "CPU time of the server process per request (user + system, from /proc) and its CPU "
    "use during the run (100 % = its whole core). The stub column is the upstream stub's "
    "CPU use during the (b) and (c) runs: well below 100 % means it was not the bottleneck."
)
CPU_COLUMNS = [
    "method, concurrency",
    "(b) CPU/request",
    "(b) CPU use",
    "(c) CPU/request",
    "(c) CPU use",
    "(d) CPU/request",
    "(d) CPU use",
    "stub CPU use",
    "errors (all targets)",
]


BEST = "handwritten-best"
"""The best hand-written proxy on the generated package's dependencies."""


@dataclass
class RestResults:
    """Throughput, latency and CPU of each target at each load point."""

    points: load_points.Points = field(default_factory=dict)
    servers: dict[str, ServerMemory] = field(default_factory=dict)
    check: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Target → (status, body bytes) of one GET before the runs."""
    notes: list[str] = field(default_factory=list)


def start_handwritten(
    ctx: Context, upstream: str, sniffio: bool = False, stack: str = "plain"
) -> Server:
    """A hand-written proxy (``handwritten_proxy.py --stack``) on the CPU of the system under
    test."""
    env = {"UPSTREAM": upstream, **({"PYTHONPATH": str(SNIFFIO_DIR)} if sniffio else {})}
    command = [ctx.env.interpreter(), str(BENCH / "handwritten_proxy.py"), "--port", "0"]
    name = "handwritten-proxy" + ("-sniffio" if sniffio else "")
    if stack != "plain":
        command += ["--stack", stack]
        name += "-" + stack
    return start_server(name, command, env=env, cpu=SUT_CPU)


def run(ctx: Context, rest: RestResults) -> None:
    """Start every target, check that each answers the same bytes, warm up, then measure."""
    with fleet(ctx) as started:
        stub, servers = started.stub, started.servers
        servers["generated"] = start_generated(ctx, "rest", stub.url)
        servers["handwritten"] = start_handwritten(ctx, stub.url)
        servers[BEST] = start_handwritten(ctx, stub.url, stack="best")
        if ctx.env.sniffio and ctx.cfg.sniffio_points:
            servers["generated+sniffio"] = start_generated(ctx, "rest", stub.url, sniffio=True)
            servers["handwritten+sniffio"] = start_handwritten(ctx, stub.url, sniffio=True)
        bases = {
            "direct": stub.url,
            **{name: server.url + "/v1" for name, server in servers.items()},
        }
        for target, base in bases.items():  # correctness first: the same bytes through each
            with urllib.request.urlopen(base + GET_PATH, timeout=10) as response:  # noqa: S310
                rest.check[target] = (response.status, len(response.read()))
        for target, server in servers.items():
            rest.servers[target] = ServerMemory(idle_kib=server.memory())
        rest.servers["stub"] = ServerMemory(idle_kib=stub.memory())
        warm_up(ctx, bases)
        for target, server in servers.items():
            rest.servers[target].after_warmup_kib = server.memory()
        measure(ctx, rest, started, bases)
        for target, server in servers.items():
            rest.servers[target].after_load_kib = server.memory()
        rest.servers["stub"].after_load_kib = started.stub.memory()


def warm_up(ctx: Context, bases: dict[str, str]) -> None:
    """Load on every target with both methods (not recorded)."""
    body = post_body()
    for target, base in bases.items():
        for method, path in METHODS:
            if target.endswith("+sniffio") and not any(
                m == method for m, _ in ctx.cfg.sniffio_points
            ):
                continue
            cpu = SUT_CPU if target == "direct" else AUX_CPU
            wrk_point(
                ctx, base + path, method, body if method == "POST" else "", 8, ctx.cfg.warmup_s, cpu
            )


def measure(ctx: Context, rest: RestResults, started: Fleet, bases: dict[str, str]) -> None:
    """All runs of all load points, targets interleaved (the stub restarted if it died)."""
    cfg = ctx.cfg
    body = post_body()
    for index in range(cfg.rest_runs):
        for method, path in METHODS:
            for conc in cfg.rest_conc:
                for target, base in bases.items():
                    if target.endswith("+sniffio") and (method, conc) not in cfg.sniffio_points:
                        continue
                    if ctx.budget.remaining() < 60:
                        rest.notes.append("stopped early: time budget")
                        raise BudgetSpent
                    run = Run(
                        started.servers.get(target),
                        base + path,
                        method,
                        body if method == "POST" else "",
                        conc,
                    )
                    started.stub, data = run_point(
                        ctx, rest, started.stub, run, f"{target} {method} c={conc} run {index + 1}"
                    )
                    if data is not None:
                        data.run = index
                        rest.points.setdefault(f"{method} c={conc}", {}).setdefault(
                            target, []
                        ).append(data)
            log(f"rest: run {index + 1} {method} done (load {loadavg()})")


@dataclass
class Run:
    """One measured run: which server (None: the stub directly), where, what, how many at once."""

    server: Server | None
    url: str
    method: str
    body: str
    connections: int


def run_point(
    ctx: Context, rest: RestResults, stub: Server, run: Run, label: str
) -> tuple[Server, load_points.LoadRun | None]:
    """``run``; if it failed because the stub died, once more on a restarted stub (returned).

    The stub restarts on the same port, so every URL stays valid.
    """
    try:
        return stub, timed(ctx, stub, run)
    except RuntimeError as error:
        revived = revive_stub(ctx, stub, rest.notes)
        if revived is stub:
            rest.notes.append(f"{label}: {str(error)[:300]}")
            return stub, None
        return revived, timed(ctx, revived, run)


def timed(ctx: Context, stub: Server, run: Run) -> load_points.LoadRun:
    """``run`` with the server's and the stub's CPU time during it."""
    server = run.server
    cpu_before = server.cpu() if server else 0.0
    stub_before = stub.cpu()
    cpu = AUX_CPU if server else SUT_CPU
    data = wrk_point(
        ctx, run.url, run.method, run.body, run.connections, ctx.cfg.rest_duration, cpu
    )
    data.server_cpu_s = (server.cpu() - cpu_before) if server else None
    data.stub_cpu_s = stub.cpu() - stub_before
    return data


# --------------------------------------------------------------------------- report


def ratios(results: Results, reference: str = "handwritten") -> dict[str, load_points.PointRatios]:
    """Per load point: the generated server over ``reference`` (a hand-written proxy)."""
    rest = REST.result(results)
    return load_points.point_ratios(rest.points, reference) if rest else {}


def _measured_text(label: str) -> Callable[[dict[str, float], float], str]:
    def measured_text(measured: dict[str, float], g: float) -> str:
        worst = min(measured, key=lambda p: measured[p])
        best = max(measured, key=lambda p: measured[p])
        return (
            f"{label} = {ratio(g)} (geometric mean of {len(measured)} load points; lowest "
            f"{ratio(measured[worst])} at {worst}, highest {ratio(measured[best])} at {best})"
        )

    return measured_text


def target(results: Results) -> list[str]:
    """The target row: generated REST ≥ 5 × the hand-written proxy on plain uvicorn."""
    title = "generated REST ≥ 5 × hand-written Starlette + httpx proxy, plain uvicorn (requests/s)"
    short = "generated REST ≥ 5 × hand-written proxy"
    return load_points.ratio_target(ratios(results), short, title, 5.0, _measured_text("b/c"))


def ceiling_target(results: Results) -> list[str]:
    """The target row: generated REST within 10 % of the best hand-written proxy."""
    title = (
        "generated REST ≥ 0.9 × the best hand-written proxy on the same dependencies "
        "(Starlette + aiohttp, uvloop, httptools)"
    )
    short = "generated REST ≥ 0.9 × best hand-written proxy"
    return load_points.ratio_target(
        ratios(results, BEST), short, title, 0.9, _measured_text("b/d")
    )


def chapter(results: Results) -> str:
    """``## 2. REST runtime``."""
    rest = REST.result(results)
    if rest is None or not rest.points:
        return not_measured("2. REST runtime", results.errors.get("rest"))
    out = ["## 2. REST runtime\n"]
    out.append(
        "(a) = the upstream stub directly, (b) = the generated REST server, (c) = the hand-written "
        "Starlette + httpx proxy on plain uvicorn (h11, asyncio), (d) = the best hand-written "
        "proxy on the generated package's dependencies (Starlette + aiohttp on uvloop and "
        "httptools).\n"
    )
    rr = ratios(results)
    best = ratios(results, BEST)
    rows = []
    for point in rest.points:
        e = rr.get(point, load_points.PointRatios())
        d = best.get(point, load_points.PointRatios())
        rows.append(
            [
                point,
                *(stat_num(e.rps.get(t, [])) for t in ("direct", "generated", "handwritten", BEST)),
                load_points.paired_text(e),
                load_points.paired_text(d),
            ]
        )
    out.append("### Throughput (requests/s)\n")
    out.append(
        table(
            [
                "method, concurrency",
                "(a) stub direct",
                "(b) generated",
                "(c) hand-written",
                "(d) best hand-written",
                "b/c (per-run pairs)",
                "b/d (per-run pairs)",
            ],
            rows,
        )
        + "\n"
    )
    rows = [
        [
            point,
            *(
                cell
                for t in ("direct", "generated", "handwritten", BEST)
                for cell in load_points.latency_cells(targets.get(t, []))
            ),
        ]
        for point, targets in rest.points.items()
    ]
    out.append("### Latency (p50 and p99)\n")
    out.append(
        table(
            [
                "method, concurrency",
                "(a) p50",
                "(a) p99",
                "(b) p50",
                "(b) p99",
                "(c) p50",
                "(c) p99",
                "(d) p50",
                "(d) p99",
            ],
            rows,
        )
        + "\n"
    )
    out.append(cpu_table(rest))
    variants = sniffio_table(results, rest)
    if variants:
        out.append(variants)
    if rest.check:
        out.append(
            "Response check before the runs (status, body bytes): "
            + ", ".join(f"{k}: {v[0]}, {v[1]} B" for k, v in rest.check.items())
            + ".\n"
        )
    out += [f"- {note}\n" for note in rest.notes]
    return "\n".join(out)


def cpu_table(rest: RestResults) -> str:
    """Server CPU per request and utilisation, and the stub's CPU use."""
    rows = []
    for point, targets in rest.points.items():
        row = [point]
        for t in ("generated", "handwritten", BEST):
            row += load_points.cpu_cells(targets.get(t, []), "server")
        both = targets.get("generated", []) + targets.get("handwritten", [])
        row.append(stat_num(load_points.cpu_use(both, "stub"), 0, " %"))
        row.append(str(load_points.errors(targets)))
        rows.append(row)
    return titled_table("Server CPU per request and utilisation", CPU_TEXT, CPU_COLUMNS, rows)


def sniffio_table(results: Results, rest: RestResults) -> str:
    """The "+ sniffio" variants beside the plain servers, where they ran."""
    rows = []
    for point, targets in rest.points.items():
        if "generated+sniffio" not in targets:
            continue
        med = {t: median(load_points.rps(runs)) for t, runs in targets.items()}
        cpu = {t: median(load_points.cpu_us(runs)) for t, runs in targets.items() if t != "direct"}
        rows.append(
            [
                point,
                stat_num(load_points.rps(targets["generated+sniffio"])),
                stat_num(load_points.rps(targets.get("handwritten+sniffio", []))),
                (
                    ratio(med["generated+sniffio"] / med["handwritten+sniffio"])
                    if med.get("handwritten+sniffio")
                    else "–"
                ),
                ratio(med["generated+sniffio"] / med["generated"]) if med.get("generated") else "–",
                (
                    ratio(med["handwritten+sniffio"] / med["handwritten"])
                    if med.get("handwritten+sniffio") and med.get("handwritten")
                    else "–"
                ),
                f"{cpu.get('generated', math.nan):.0f} → "
                f"{cpu.get('generated+sniffio', math.nan):.0f} µs",
                f"{cpu.get('handwritten', math.nan):.0f} → "
                f"{cpu.get('handwritten+sniffio', math.nan):.0f} µs",
            ]
        )
    if not rows:
        return ""
    return (
        "### Variant: the same servers with `sniffio` installed\n\n"
        "httpcore tries `import sniffio` on every lock and event it creates; without `sniffio` "
        "(anyio 4 dropped it) each try fails and searches `sys.path`. The generated package now "
        "depends on `sniffio` (`templates/pyproject.toml.j2`), but the runs above use the "
        "benchmark venv, which has it for neither server. Here `sniffio` "
        f"{results.environment.sniffio or ''} is added on `PYTHONPATH`, nothing else changes; "
        "these runs are interleaved with the ones above.\n\n"
        + table(
            [
                "method, concurrency",
                "(b+) generated + sniffio",
                "(c+) hand-written + sniffio",
                "b+/c+",
                "b+/b",
                "c+/c",
                "(b) CPU/request → (b+)",
                "(c) CPU/request → (c+)",
            ],
            rows,
        )
        + "\n"
    )


REST = Section(
    "rest",
    "REST throughput, latency and CPU: generated vs hand-written proxy",
    RestResults,
    run,
)
