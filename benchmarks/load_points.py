"""Load runs and points: what one run of a load generator measured; ratios between targets.

The REST and MCP sections record ``Points``: load point (``GET c=8``, ``sessions=1``) → target
→ runs; their chapters, the targets and the Findings read them through these helpers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchlib import geomean, median
from report_format import ms_from_us, ratio, stat_num
from results import from_json


@dataclass
class LoadRun:
    """One timed run of a load generator (wrk, ``loadgen.py`` or ``mcp_load.py``) at one point."""

    requests: int = 0
    duration_s: float = 0.0
    errors: int = 0
    rps: float = 0.0
    p50_us: float = math.nan
    p99_us: float = math.nan
    mean_us: float | None = None
    connect_errors: int | None = None
    read_errors: int | None = None
    write_errors: int | None = None
    status_errors: int | None = None
    timeouts: int | None = None
    first_error: str = ""
    client_cpu_s: float | None = None
    """``mcp_load.py``'s own CPU time (the client is Python, and often the bottleneck)."""
    load_cpu_s: float = 0.0
    """CPU time of the load generator's process tree."""
    server_cpu_s: float | None = None
    stub_cpu_s: float | None = None
    run: int = 0

    @classmethod
    def from_output(cls, data: dict[str, Any]) -> LoadRun:
        """The ``BENCH_JSON`` line of a load generator, as read by :func:`benchlib.run_json`."""
        fields = dict(data)
        fields["load_cpu_s"] = fields.pop("_cpu_s", 0.0)
        return from_json(cls, fields)

    def cpu_us_per_request(self) -> float | None:
        """Server CPU time per request in µs, None when not measured."""
        if not self.requests or self.server_cpu_s is None:
            return None
        return self.server_cpu_s / self.requests * 1e6


Points = dict[str, dict[str, list[LoadRun]]]
"""Load point (``GET c=8``, ``sessions=1``) → target → its runs, in the order measured."""


def cpu_us(runs: list[LoadRun]) -> list[float]:
    """Server CPU µs per request of each run that measured it."""
    return [v for v in (run.cpu_us_per_request() for run in runs) if v is not None]


CPU_OF: dict[str, Callable[[LoadRun], float | None]] = {
    "server": lambda run: run.server_cpu_s,
    "stub": lambda run: run.stub_cpu_s,
    "client": lambda run: run.client_cpu_s,
}


def cpu_use(runs: list[LoadRun], of: str) -> list[float]:
    """CPU use of the ``server``, ``stub`` or ``client`` during each run (100 = one whole core)."""
    seconds = [(CPU_OF[of](run), run.duration_s) for run in runs]
    return [100 * s / duration for s, duration in seconds if s is not None]


def cpu_cells(runs: list[LoadRun], *of: str) -> list[str]:
    """Cells of one target: server CPU per request (µs), then the CPU use of each of ``of`` (%)."""
    return [stat_num(cpu_us(runs), 0, " µs"), *(stat_num(cpu_use(runs, o), 0, " %") for o in of)]


def errors(targets: dict[str, list[LoadRun]]) -> int:
    """Errors over every run of every target of one load point."""
    return sum(run.errors for runs in targets.values() for run in runs)


def rps(runs: list[LoadRun]) -> list[float]:
    """Requests per second of each run."""
    return [run.rps for run in runs]


@dataclass
class PointRatios:
    """One load point: each target's rps; the generated server over the reference."""

    rps: dict[str, list[float]] = field(default_factory=dict)
    ratio: float | None = None
    """Median rps of the generated server ÷ the reference's."""
    paired: list[float] = field(default_factory=list)
    """The same per run (runs are interleaved)."""
    cpu_ratio: float | None = None
    """Reference ÷ generated server CPU per call."""


def point_ratios(points: Points, reference: str) -> dict[str, PointRatios]:
    """:class:`PointRatios` of every load point, against ``reference``."""
    out: dict[str, PointRatios] = {}
    for point, targets in points.items():
        gen = targets.get("generated", [])
        ref = targets.get(reference, [])
        entry = PointRatios(rps={t: rps(runs) for t, runs in targets.items()})
        if gen and ref:
            entry.ratio = median(rps(gen)) / median(rps(ref))
            entry.paired = [g.rps / r.rps for g, r in zip(gen, ref, strict=False) if r.rps]
            gcpu, rcpu = cpu_us(gen), cpu_us(ref)
            if gcpu and rcpu and median(gcpu):
                entry.cpu_ratio = median(rcpu) / median(gcpu)
        out[point] = entry
    return out


def measured_ratios(ratios: dict[str, PointRatios]) -> dict[str, float]:
    """Load point → ratio, for the points where both targets were measured."""
    return {p: e.ratio for p, e in ratios.items() if e.ratio is not None}


def ratio_target(
    ratios: dict[str, PointRatios],
    short: str,
    title: str,
    threshold: float,
    measured_text: Callable[[dict[str, float], float], str],
) -> list[str]:
    """A target row on the geometric mean ``g`` of the per-point ratios: ``g ≥ threshold`` passes.

    ``measured_text(ratios of the points measured, g)`` writes the "measured" cell.
    """
    measured = measured_ratios(ratios)
    if not measured:
        return [short, "not measured (see Problems)", "n/a"]
    g = geomean(measured.values())
    return [title, measured_text(measured, g), "PASS" if g >= threshold else "MISS"]


def paired_text(e: PointRatios) -> str:
    """The ratio in bold, with the spread of the per-run pairs."""
    return f"**{ratio(e.ratio)}**" + (
        f" ({min(e.paired):.2f}–{max(e.paired):.2f})" if e.paired else ""
    )


def latency_cells(runs: list[LoadRun]) -> list[str]:
    """The p50 and p99 cells of one target's runs."""
    return [ms_from_us([d.p50_us for d in runs]), ms_from_us([d.p99_us for d in runs])]
