"""Timing one spec's build, shared by the build sections (``build``, ``large``).

*In-process*: ``build_worker.py`` in a fresh interpreter times each phase of one compilation
(after a warm-up on another spec). *Whole process*: ``naftiko-gen build SPEC -o NEW_DIR`` as a
subprocess. Every sample gets its own empty format cache (``NAFTIKO_GEN_CACHE_DIR``) unless
it is the cache-hit case.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import synth
from bench_setup import naftiko_command
from benchlib import BENCH, ROOT, WORK, Budget, Summary, run_json, summary
from results import Results

PHASES = ("load", "schema", "semantic", "lower", "render", "format")


@dataclass
class Rejection:
    """How the compiler rejected a spec (the corpus is real-world data)."""

    errors: int | None = None
    phase: str | None = None


@dataclass
class BuildSpec:
    """The build figures of one spec (status skipped or timeout: not measured; ``skipped``: why)."""

    name: str = ""
    kind: str = ""
    """``flyte``, ``other`` (corpus files) or ``synthetic``."""
    status: str = "ok"
    """``ok``, ``rejected``, ``skipped`` or ``timeout``."""
    ops: int | None = None
    """Operations of a synthetic spec."""
    lines: int = 0
    bytes: int = 0
    skipped: str = ""
    estimate_s: float | None = None
    """The in-process time predicted before building it (large synthetic sizes)."""
    rejected: Rejection | None = None
    operations: dict[str, int] = field(default_factory=dict)
    """Consumed operations, REST operations and MCP tools."""
    generated_lines: int | None = None
    generated_files: int | None = None
    changed_by_format: tuple[int | None, int | None] = (None, None)
    """(Python modules black changed, Python modules rendered)."""
    in_process_primed: Summary = field(default_factory=Summary)
    """First build in a process (format cache empty)."""
    in_process_warm: Summary | None = None
    """Repeated builds in the same process (format cache hit)."""
    compile_spec_s: list[float] = field(default_factory=list)
    phases_primed: dict[str, Summary] = field(default_factory=dict)
    format_gc_enabled_s: float | None = None
    import_s: Summary = field(default_factory=Summary)
    warmup_s: Summary = field(default_factory=Summary)
    whole_process: Summary | None = None
    whole_exit: list[int] = field(default_factory=list)
    whole_process_cache_hit: Summary | None = None
    whole_note: str = ""

    @property
    def not_measured(self) -> bool:
        """Skipped for the time budget or timed out."""
        return self.status in ("skipped", "timeout")


@dataclass
class BuildSpecs:
    """The specs a build section measured, by key, in the order measured."""

    specs: dict[str, BuildSpec] = field(default_factory=dict)


@dataclass
class BuildInput:
    """A spec to measure, and how many samples of each kind.

    ``procs`` in-process samples, one fresh process each, building it ``repeat`` times (the
    first build primed, the others warm); ``whole`` whole-process samples. The first process
    also times ``compile_spec()`` as a whole (``compile``) and the format phase with the
    cyclic GC on (``gc``).
    """

    name: str
    key: str
    path: Path
    kind: str
    procs: int
    repeat: int
    whole: int
    ops: int | None = None
    compile: bool = False
    gc: bool = False


def all_build_specs(results: Results) -> dict[str, BuildSpec]:
    """Every spec built in this run, by key, across the build sections, in the order they ran."""
    specs: dict[str, BuildSpec] = {}
    for section in results.sections.values():
        if isinstance(section, BuildSpecs):
            specs.update(section.specs)
    return specs


def synthetic_points(specs: dict[str, BuildSpec]) -> list[tuple[int, float, BuildSpec]]:
    """(operations, in-process seconds, spec) of the synthetic specs built, smallest first."""
    points = [
        (d.ops, d.in_process_primed.median, d)
        for d in specs.values()
        if d.kind == "synthetic" and d.status == "ok" and d.ops
    ]
    return sorted(points, key=lambda p: (p[0], p[1]))


def estimate_build(specs: dict[str, BuildSpec], n: int) -> float:
    """In-process seconds for ``n`` operations, extrapolated from the two largest sizes measured."""
    points = [(ops, t) for ops, t, _ in synthetic_points(specs)]
    if not points:
        return 60.0
    if len(points) == 1:
        return points[0][1] / points[0][0] * n * 1.5
    (n1, t1), (n2, t2) = points[-2], points[-1]
    k = min(1.1, max(1.0, math.log(t2 / t1) / math.log(n2 / n1)))
    return float(t2 * (n / n2) ** k * 1.1)


def fresh_cache() -> str:
    """A new, empty directory for the compiler's format cache: every build sample starts cold.

    ``mkdtemp`` rather than a counter: ``benchmarks/work`` outlives a run, and a counter would
    hand the next run the caches this one filled (the 18:30 run's "cold" builds were hits).
    """
    root = WORK / "fmtcache"
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(prefix="c", dir=root)


def write_warmup() -> Path:
    """The 3-operation spec every worker compiles first."""
    return synth.write_synthetic(3, WORK / "specs")


def run_worker(
    spec: Path, warmup: Path, repeat: int, timeout: float, *options: str
) -> dict[str, Any]:
    """``build_worker.py`` timing ``spec`` in a fresh process with an empty format cache.

    ``options``: ``--compile``, ``--gc-experiment``, ``--profile`` (see ``build_worker.py``).
    Returns its ``BENCH_JSON``.
    """
    worker = [sys.executable, str(BENCH / "build_worker.py"), str(spec), "--warmup", str(warmup)]
    command = [*worker, "--repeat", str(repeat), *options]
    return run_json(command, timeout=timeout, env={"NAFTIKO_GEN_CACHE_DIR": fresh_cache()})


def whole_process(
    spec: Path, label: str, index: int, timeout: float, cache: str | None = None
) -> tuple[float, int]:
    """``naftiko-gen build`` as a subprocess into a new directory: (seconds, exit code)."""
    out = WORK / "out" / f"{label}-{index}"
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "NAFTIKO_GEN_CACHE_DIR": cache or fresh_cache()}
    t = time.perf_counter()
    completed = subprocess.run(
        [*naftiko_command(), "build", str(spec), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )
    elapsed = time.perf_counter() - t
    shutil.rmtree(out, ignore_errors=True)
    return elapsed, completed.returncode


def worker_run(
    entry: BuildInput, warmup: Path, budget: Budget, i: int, timeout: float | None = None
) -> dict[str, Any]:
    """Sample ``i`` of ``entry`` in process; the first sample also runs the extra experiments."""
    limit = timeout or max(30.0, budget.remaining() - 30)
    extra = [
        flag
        for flag, wanted in (("--gc-experiment", entry.gc), ("--compile", entry.compile))
        if wanted
    ]
    return run_worker(entry.path, warmup, entry.repeat, limit, *(extra if i == 0 else []))


def measure_build(
    entry: BuildInput, warmup: Path, budget: Budget, timeout: float | None = None
) -> BuildSpec:
    """In-process (fresh processes, per phase) and whole-process timings of one spec."""
    runs = [worker_run(entry, warmup, budget, i, timeout) for i in range(entry.procs)]
    wholes = []
    for i in range(entry.whole):
        if budget.remaining() < 60 and i > 0:
            break
        wholes.append(
            whole_process(entry.path, entry.key, i, timeout or max(30.0, budget.remaining() - 30))
        )
    return summarise_build(entry, runs, wholes)


def summarise_build(
    entry: BuildInput, runs: list[dict[str, Any]], wholes: list[tuple[float, int]]
) -> BuildSpec:
    """The :class:`BuildSpec` of ``entry`` from its workers' output and whole-process samples."""
    stale = [
        r.get("cache_entries_before_first_build")
        for r in runs
        if r.get("cache_entries_before_first_build")
    ]
    if stale:
        # A first build that found cached modules is not a cold build: refuse to report it as one.
        raise RuntimeError(
            f"{entry.name}: the format cache was not empty before the first build ({stale})"
        )
    first = runs[0]["reps"][0]
    primed = [r["reps"][0] for r in runs]
    warm = [rep for r in runs for rep in r["reps"][1:]]
    result = BuildSpec(
        name=entry.name,
        kind=entry.kind,
        status=first["status"],
        ops=entry.ops,
        lines=entry.path.read_text().count("\n"),
        bytes=entry.path.stat().st_size,
        operations=first.get("operations", {}),
        generated_lines=first.get("generated_lines"),
        generated_files=first.get("files"),
        changed_by_format=(first.get("changed_by_format"), first.get("python_files")),
        in_process_primed=summary([rep["total"] for rep in primed]),
        in_process_warm=summary([rep["total"] for rep in warm]) if warm else None,
        compile_spec_s=[
            rep["compile_spec_s"] for r in runs for rep in r["reps"] if "compile_spec_s" in rep
        ],
        import_s=summary([r["import_s"] for r in runs]),
        warmup_s=summary([r["warmup_s"] for r in runs]),
        whole_process=summary([s for s, _ in wholes]) if wholes else None,
        whole_exit=sorted({code for _, code in wholes}),
    )
    if result.status != "ok":
        result.rejected = Rejection(errors=first.get("errors"), phase=first.get("phase"))
    for phase in PHASES:
        values = [rep["times"][phase] for rep in primed if phase in rep["times"]]
        if values:
            result.phases_primed[phase] = summary(values)
    gc_runs = [r["format_gc_enabled_s"] for r in runs if "format_gc_enabled_s" in r]
    if gc_runs:
        result.format_gc_enabled_s = gc_runs[0]
    return result
