"""Section ``soak``: the generated REST server under steady load, its latency and memory.

The generated REST server (pinned to the CPU of the system under test, as in section ``rest``)
serves GET one execution to ``soak_connections`` connections of wrk (or ``loadgen.py``) on the
auxiliary CPU for ``soak_duration`` seconds, after a warm-up at the same concurrency. A thread
reads the server's resident memory (VmRSS, /proc) every ``soak_sample_s`` seconds meanwhile.
The memory is *flat* when the median of the second half's samples exceeds the first half's by
at most :data:`FLAT_PCT` per cent or :data:`FLAT_MIN_KIB` KiB, whichever is larger.

The MCP server is not soaked: it would add another minute to ``make bench``, and
``mcp_load.py`` (one Python process of official clients) has not been run at 64 sessions.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from benchlib import Server, least_squares, log, median
from load_points import LoadRun
from report_format import DASH, ms_from_us, not_measured, num, table
from results import Results
from section import Context, Section
from servers import AUX_CPU, GET_PATH, fleet, start_generated, wrk_point

FLAT_PCT = 5.0
FLAT_MIN_KIB = 2048
RULE = (
    f"flat when the median resident memory of the second half of the run exceeds the first "
    f"half's by at most {FLAT_PCT:.0f} % or {FLAT_MIN_KIB // 1024} MiB, whichever is larger"
)
MIN_SAMPLES = 2
"""Samples each half needs for a verdict."""


@dataclass
class SoakRun:
    """One server under steady load: the load generator's figures and its memory meanwhile."""

    connections: int = 0
    duration_s: float = 0.0
    """The configured length of the load (the load generator's own is in ``load``)."""
    load: LoadRun = field(default_factory=LoadRun)
    start_kib: int = 0
    """VmRSS after the warm-up, just before the load."""
    end_kib: int = 0
    """VmRSS just after the load."""
    peak_kib: int = 0
    """VmHWM (peak resident, over the process's life) just after the load."""
    rss_kib: list[tuple[float, int]] = field(default_factory=list)
    """(seconds since the load started, VmRSS in KiB), read during the load."""

    def max_kib(self) -> int:
        """The largest VmRSS read during the load (0 when none was)."""
        return max((kib for _, kib in self.rss_kib), default=0)

    def flatness(self) -> Flatness | None:
        """The halves' medians and the verdict (:data:`RULE`); None with too few samples."""
        half = self.duration_s / 2
        first = [kib for t, kib in self.rss_kib if t < half]
        second = [kib for t, kib in self.rss_kib if t >= half]
        if len(first) < MIN_SAMPLES or len(second) < MIN_SAMPLES:
            return None
        first_kib, second_kib = median(first), median(second)
        allowed = max(FLAT_MIN_KIB, first_kib * FLAT_PCT / 100)
        return Flatness(first_kib, second_kib, second_kib - first_kib, allowed)

    def trend_kib_per_min(self) -> float | None:
        """The least-squares slope of the samples, KiB per minute (None below 2 samples)."""
        if len(self.rss_kib) < 2:
            return None
        slope, _ = least_squares([t for t, _ in self.rss_kib], [k for _, k in self.rss_kib])
        return slope * 60


@dataclass(frozen=True)
class Flatness:
    """The memory verdict of one soak run (see :data:`RULE`)."""

    first_kib: float
    second_kib: float
    growth_kib: float
    allowed_kib: float

    @property
    def flat(self) -> bool:
        """Whether the growth stays within the allowance."""
        return self.growth_kib <= self.allowed_kib


@dataclass
class SoakResults:
    """Each soaked server's run, by name (today only ``generated``, the REST server)."""

    runs: dict[str, SoakRun] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def sampling(server: Server, interval: float, into: list[tuple[float, int]]) -> Iterator[None]:
    """Append ``(seconds, VmRSS KiB)`` of ``server`` to ``into`` every ``interval`` s meanwhile."""
    stop = threading.Event()
    t0 = time.monotonic()

    def sample() -> None:
        while True:
            rss = server.memory().get("VmRSS")
            if rss is not None:
                into.append((round(time.monotonic() - t0, 3), rss))
            if stop.wait(interval):
                return

    thread = threading.Thread(target=sample, name="soak-rss", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run(ctx: Context, out: SoakResults) -> None:
    """Warm the generated REST server up, then load it steadily while reading its memory."""
    cfg = ctx.cfg
    if ctx.budget.remaining() < cfg.soak_duration + cfg.warmup_s + 30:
        out.notes.append("skipped: the time budget would not cover the soak")
        return
    with fleet(ctx) as started:
        server = started.servers["generated"] = start_generated(ctx, "rest", started.stub.url)
        url = server.url + "/v1" + GET_PATH
        conns = cfg.soak_connections
        wrk_point(ctx, url, "GET", "", conns, cfg.warmup_s, AUX_CPU)
        soak = out.runs["generated"] = SoakRun(conns, cfg.soak_duration)
        soak.start_kib = server.memory().get("VmRSS", 0)
        log(f"soak: generated REST, {conns} connections for {cfg.soak_duration:.0f} s")
        cpu_before, stub_before = server.cpu(), started.stub.cpu()
        with sampling(server, cfg.soak_sample_s, soak.rss_kib):
            soak.load = wrk_point(ctx, url, "GET", "", conns, cfg.soak_duration, AUX_CPU)
        soak.load.server_cpu_s = server.cpu() - cpu_before
        soak.load.stub_cpu_s = started.stub.cpu() - stub_before
        after = server.memory()
        soak.end_kib, soak.peak_kib = after.get("VmRSS", 0), after.get("VmHWM", 0)


# --------------------------------------------------------------------------- report


def mib(kib: float | None) -> str:
    """KiB written in MiB."""
    return DASH if not kib else f"{kib / 1024:.1f} MiB"


def signed_mib(kib: float) -> str:
    """A change in KiB written in MiB with its sign."""
    return f"{kib / 1024:+.2f} MiB"


def verdict(soak: SoakRun) -> str:
    """``flat``, ``GROWING`` or why there is no verdict."""
    flatness = soak.flatness()
    if flatness is None:
        return f"no verdict ({len(soak.rss_kib)} samples)"
    return "flat" if flatness.flat else "GROWING"


def target(results: Results) -> list[str]:
    """The target row: the generated REST server's memory stays flat under the soak."""
    section = SOAK.result(results)
    soak = section.runs.get("generated") if section else None
    if soak is None:
        return ["generated REST memory flat under a soak", "not measured (see chapter 6)", "n/a"]
    title = (
        f"generated REST memory flat, {soak.connections} connections for "
        f"{soak.duration_s:.0f} s (second-half median RSS ≤ first half's + max({FLAT_PCT:.0f} %, "
        f"{FLAT_MIN_KIB // 1024} MiB))"
    )
    flatness = soak.flatness()
    if flatness is None:
        return [title, verdict(soak), "n/a"]
    measured = (
        f"{signed_mib(flatness.growth_kib)} ({mib(flatness.first_kib)} → "
        f"{mib(flatness.second_kib)}, allowed {signed_mib(flatness.allowed_kib)}); "
        f"p99 {ms_from_us([soak.load.p99_us])} at {num(soak.load.rps)} requests/s"
    )
    return [title, measured, "PASS" if flatness.flat else "MISS"]


def chapter(results: Results) -> str:
    """``## 6. Soak``: the load table, the memory table, the rule and the samples."""
    title = "6. Soak: the REST server under steady load"
    section = SOAK.result(results)
    if section is None or not section.runs:
        why = results.errors.get("soak") or "; ".join(section.notes if section else [])
        return not_measured(title, why or None)
    cfg = results.config
    out = [f"## {title}\n"]
    out.append(
        f"The generated REST server (GET one execution, as in chapter 2), "
        f"{'alone on its CPU' if results.pinning else 'not pinned'}, under "
        f"{cfg.soak_connections} connections of "
        f"{'wrk' if results.environment.wrk else '`loadgen.py`'} "
        f"{'on the other CPU ' if results.pinning else ''}for "
        f"{cfg.soak_duration:.0f} s, after a {cfg.warmup_s:g} s warm-up at the same concurrency; "
        f"its resident memory (VmRSS from /proc) is read every {cfg.soak_sample_s:g} s during "
        f"the load. Memory is {RULE}. The MCP server is not soaked (another minute of "
        f"`make bench`, and `mcp_load.py` has not been run at {cfg.soak_connections} sessions).\n"
    )
    load_rows, memory_rows = [], []
    for name, soak in section.runs.items():
        load = soak.load
        cpu = (
            f"{100 * load.server_cpu_s / load.duration_s:.0f} %"
            if load.server_cpu_s is not None and load.duration_s
            else DASH
        )
        load_rows.append(
            [
                name,
                str(soak.connections),
                f"{load.duration_s:.1f} s",
                num(load.requests),
                num(load.rps),
                ms_from_us([load.p50_us]),
                ms_from_us([load.p99_us]),
                str(load.errors),
                cpu,
            ]
        )
        flatness = soak.flatness()
        trend = soak.trend_kib_per_min()
        memory_rows.append(
            [
                name,
                mib(soak.start_kib),
                mib(flatness.first_kib) if flatness else DASH,
                mib(flatness.second_kib) if flatness else DASH,
                signed_mib(flatness.growth_kib) if flatness else DASH,
                f"{trend / 1024:+.2f} MiB/min" if trend is not None else DASH,
                mib(soak.max_kib()),
                mib(soak.end_kib),
                mib(soak.peak_kib),
                f"**{verdict(soak)}**",
            ]
        )
    out.append("### Load\n")
    out.append(
        table(
            [
                "server",
                "connections",
                "duration",
                "requests",
                "requests/s",
                "p50",
                "p99",
                "errors",
                "server CPU use",
            ],
            load_rows,
        )
        + "\n"
    )
    out.append("### Resident memory\n")
    out.append(
        table(
            [
                "server",
                "start (after warm-up)",
                "first half (median)",
                "second half (median)",
                "growth",
                "trend (least squares)",
                "max sampled",
                "end",
                "peak (VmHWM)",
                "verdict",
            ],
            memory_rows,
        )
        + "\n"
    )
    for name, soak in section.runs.items():
        samples = ", ".join(f"{t:.1f} s {kib / 1024:.1f}" for t, kib in soak.rss_kib)
        out.append(f"Samples of {name} (MiB): {samples}.\n")
    out += [f"- {note}\n" for note in section.notes]
    return "\n".join(out)


SOAK = Section(
    "soak",
    "the generated REST server under 64 connections for 60 s: p99 latency, memory flat",
    SoakResults,
    run,
)
