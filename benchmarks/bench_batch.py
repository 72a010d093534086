"""Section ``batch``: one ``naftiko-gen build`` of many capabilities against one process each.

For N of the 100 real capabilities in ``specs/batch/`` (10, 30 and 100 in the full run, taken
evenly from the sorted list so that every size mixes the providers alike), both
routes start with an empty format cache (``NAFTIKO_GEN_CACHE_DIR``) and write into new
folders:

* **batch**: one ``naftiko-gen build`` reading a ``naftiko-gen.toml`` that lists the N files;
* **separate**: N ``naftiko-gen build SPEC -o OUT`` processes, one after the other, sharing
  one cache (as a CI loop over the files would), run where no configuration applies.

The two alternate, the separate route first in even repetitions. Wall time and the CPU time
of the children (user + system, ``RUSAGE_CHILDREN``) are recorded; the target is batch ≤ 0.35
× separate at 100 capabilities. The full run also times the regeneration check
(``build --check`` of the 100 with the cache filled) both ways, which is what pre-commit and
a CI drift check do.

Runs inside ``run.py`` (``--sections batch``) or alone:
``.venv/bin/python benchmarks/bench_batch.py [--quick] [--output FILE]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from results import Results
from section import Context, Section

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SPECS = BENCH / "specs" / "batch"
TARGET = 0.35
"""Batch time over separate processes, at 100 capabilities."""


@dataclasses.dataclass
class Run:
    """One timed route: wall seconds, children's CPU seconds, exit status."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    exit: int = 0


@dataclasses.dataclass
class Point:
    """Both routes at one number of capabilities, repeated."""

    specs: int = 0
    batch: list[Run] = dataclasses.field(default_factory=list)
    separate: list[Run] = dataclasses.field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        """Median batch wall time over median separate wall time."""
        if not self.batch or not self.separate:
            return None
        return _median(self.batch) / _median(self.separate)


@dataclasses.dataclass
class BatchResults:
    """Everything the section measured (whatever it reached before a failure or the budget)."""

    cpus: int = 0
    points: list[Point] = dataclasses.field(default_factory=list)
    check: Point | None = None
    """``build --check`` of every capability with the cache filled (full run only)."""
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def target_point(self) -> Point | None:
        """The largest point measured (100 capabilities in a full run)."""
        return max(self.points, key=lambda p: p.specs) if self.points else None


def _median(runs: list[Run]) -> float:
    return statistics.median(run.wall_s for run in runs)


def naftiko_command() -> list[str]:
    """The project's ``naftiko-gen`` (the interpreter running this has it installed)."""
    script = Path(sys.executable).parent / "naftiko-gen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "naftiko_codegen"]


def warm_bytecode() -> None:
    """Import the compiler once so its bytecode cache exists before anything is timed."""
    modules = "naftiko_codegen.cli, naftiko_codegen.pipeline, naftiko_codegen.batch, black"
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-c", f"import {modules}"], env=environment, check=True, timeout=300
    )


def _timed(commands: list[list[str]], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    """Run ``commands`` one after the other; their wall and CPU time together."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    status = 0
    for command in commands:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            status = done.returncode
            sys.stderr.write(done.stderr[-2000:])
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, status)


def _environment(cache: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment["NAFTIKO_GEN_CACHE_DIR"] = str(cache)
    environment["CI"] = "true"  # no progress bar: nothing to draw on a pipe anyway
    return environment


class _Workspace:
    """N capabilities, a configuration listing them, and fresh caches and outputs."""

    def __init__(self, root: Path, count: int) -> None:
        self.root = root
        every = sorted(SPECS.glob("*.yaml"))
        # Spread over the whole list (every provider), so the sizes compare like with like.
        self.specs = [every[i * len(every) // count] for i in range(min(count, len(every)))]
        project = root / "project"
        (project / "specs").mkdir(parents=True)
        for spec in self.specs:
            shutil.copy(spec, project / "specs" / spec.name)
        (project / "naftiko-gen.toml").write_text(
            '[[build]]\nspecs = "specs/*.yaml"\noutput = "out/{stem}"\n'
        )
        self.project = project
        self.elsewhere = root / "separate"  # no configuration applies here
        self.elsewhere.mkdir()
        self.counter = 0

    def fresh(self, name: str) -> Path:
        self.counter += 1
        path = self.root / f"{name}-{self.counter}"
        path.mkdir()
        return path

    def batch(self, cache: Path, timeout: float, *extra: str) -> Run:
        if "--check" not in extra:  # a build starts from no output at all
            shutil.rmtree(self.project / "out", ignore_errors=True)
        command = [*naftiko_command(), "build", "--quiet", *extra]
        return _timed([command], self.project, _environment(cache), timeout)

    def separate(self, cache: Path, out: Path, timeout: float, *extra: str) -> Run:
        commands = [
            [
                *naftiko_command(),
                "build",
                str(self.project / "specs" / spec.name),
                "-o",
                str(out / spec.stem),
                *extra,
            ]
            for spec in self.specs
        ]
        return _timed(commands, self.elsewhere, _environment(cache), timeout)


def run(
    sizes: list[int],
    repeats: int,
    *,
    check: bool,
    remaining: Callable[[], float],
    out: BatchResults | None = None,
) -> BatchResults:
    """Measure both routes at each size (see the module docstring)."""
    warm_bytecode()
    results = out or BatchResults()
    results.cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    with tempfile.TemporaryDirectory(prefix="naftiko-bench-batch-") as temporary:
        for count in sizes:
            if remaining() < 60:
                results.notes.append(f"{count} capabilities: skipped, the time budget was spent")
                continue
            workspace = _Workspace(Path(temporary) / f"n{count}", count)
            point = Point(count)
            results.points.append(point)
            for repetition in range(repeats):
                if repetition and remaining() < 60:
                    break
                order = ("separate", "batch") if repetition % 2 == 0 else ("batch", "separate")
                for route in order:
                    limit = max(60.0, remaining() - 30)
                    cache = workspace.fresh("cache")
                    if route == "batch":
                        point.batch.append(workspace.batch(cache, limit))
                    else:
                        point.separate.append(
                            workspace.separate(cache, workspace.fresh("out"), limit)
                        )
            if check and count == max(sizes) and remaining() > 120:
                results.check = _check_point(workspace, remaining)
    return results


def _check_point(workspace: _Workspace, remaining: Callable[[], float]) -> Point:
    """``build --check`` of every capability, the outputs written and the cache filled."""
    cache = workspace.fresh("cache")
    out = workspace.fresh("out")
    limit = max(60.0, remaining() - 30)
    workspace.batch(cache, limit)  # writes project/out and fills the cache
    workspace.separate(cache, out, limit)
    point = Point(len(workspace.specs))
    point.batch.append(workspace.batch(cache, limit, "--check"))
    point.separate.append(workspace.separate(cache, out, limit, "--check"))
    return point


# --------------------------------------------------------------------------- report


def _stat(runs: list[Run]) -> str:
    if not runs:
        return "not measured"
    values = sorted(run.wall_s for run in runs)
    spread = f" ({values[0]:.1f}–{values[-1]:.1f})" if len(values) > 1 else ""
    return f"{statistics.median(values):.1f} s{spread}"


def _cpu(runs: list[Run]) -> str:
    return f"{statistics.median(run.cpu_s for run in runs):.1f} s" if runs else "–"


def target_row(results: BatchResults | None) -> list[str]:
    """The Targets table's row: batch / separate at the largest size."""
    name = f"batch build of 100 capabilities ≤ {TARGET}× 100 separate processes"
    point = results.target_point if results is not None else None
    if point is None or point.ratio is None:
        return [name, "not measured", "–"]
    verdict = "PASS" if point.ratio <= TARGET and point.specs >= 100 else "MISS"
    if point.specs < 100:
        verdict = f"(only {point.specs} measured)"
    return [name, f"{point.ratio:.2f}× at {point.specs}", verdict]


def chapter(results: BatchResults | None, number: str = "") -> str:
    """The section's part of ``RESULTS.md``."""
    title = f"## {number}Batch build: one process for many capabilities\n"
    if results is None or not results.points:
        return title + "\nNot measured.\n"
    lines = [
        title,
        f"Real capabilities from `benchmarks/specs/batch/` (copied from the corpus), built into "
        f"new folders with an empty format cache: one `naftiko-gen build` reading a "
        f"`naftiko-gen.toml` that lists them, against one `naftiko-gen build SPEC -o OUT` "
        f"process per file, run one after the other and sharing one cache. The process may use "
        f"{results.cpus} CPUs; CPU is the children's user + system time.\n",
        "| capabilities | batch | separate | ratio | per capability (batch / separate) "
        "| CPU (batch / separate) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for point in sorted(results.points, key=lambda p: p.specs):
        ratio = f"{point.ratio:.2f}×" if point.ratio is not None else "–"
        per = (
            f"{_median(point.batch) / point.specs * 1000:.0f} / "
            f"{_median(point.separate) / point.specs * 1000:.0f} ms"
            if point.batch and point.separate
            else "–"
        )
        lines.append(
            f"| {point.specs} | {_stat(point.batch)} | {_stat(point.separate)} | {ratio} | "
            f"{per} | {_cpu(point.batch)} / {_cpu(point.separate)} |"
        )
    if results.check is not None:
        check = results.check
        lines.append("")
        lines.append(
            f"Regeneration check (`build --check`, outputs written and cache filled) of "
            f"{check.specs} capabilities: batch {_stat(check.batch)}, separate "
            f"{_stat(check.separate)}"
            + (f" ({check.ratio:.2f}×)." if check.ratio is not None else ".")
        )
    failed = [
        f"{route} at {point.specs}"
        for point in results.points
        for route, runs in (("batch", point.batch), ("separate", point.separate))
        if any(run.exit != 0 for run in runs)
    ]
    if failed:
        lines.append(f"\nA build failed ({', '.join(failed)}): the figures above are suspect.")
    lines.extend(f"\n{note}" for note in results.notes)
    return "\n".join(lines) + "\n"


def run_section(ctx: Context, out: BatchResults) -> None:
    """The section as ``run.py`` runs it: the configured sizes within the run's budget."""
    run(
        ctx.cfg.batch_sizes,
        ctx.cfg.batch_repeats,
        check=ctx.cfg.batch_check,
        remaining=ctx.budget.remaining,
        out=out,
    )


def results_target(results: Results) -> list[str]:
    """The targets table's row, from a whole run's results."""
    return target_row(BATCH.result(results))


def results_chapter(results: Results) -> str:
    """The chapter, from a whole run's results."""
    return chapter(BATCH.result(results), "5. ")


BATCH = Section(
    "batch",
    "one naftiko-gen build of 10, 30 and 100 real capabilities against one process each",
    BatchResults,
    run_section,
)


def to_json(results: BatchResults) -> dict[str, Any]:
    """The results as JSON (``results.json``)."""
    return dataclasses.asdict(results)


def from_json(data: dict[str, Any] | None) -> BatchResults | None:
    """Results read back from ``to_json``."""
    if data is None:
        return None

    def point(item: dict[str, Any]) -> Point:
        return Point(
            item["specs"],
            [Run(**r) for r in item["batch"]],
            [Run(**r) for r in item["separate"]],
        )

    return BatchResults(
        cpus=data["cpus"],
        points=[point(p) for p in data["points"]],
        check=point(data["check"]) if data.get("check") else None,
        notes=list(data["notes"]),
    )


def main() -> int:
    """Run the section alone and print its chapter (``--output`` writes it to a file)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10 capabilities, once")
    parser.add_argument("--sizes", default="", help="comma-separated numbers of capabilities")
    parser.add_argument("--repeats", type=int, default=0)
    parser.add_argument("--budget", type=float, default=600.0, help="seconds")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(BENCH / "work" / "pycache"))
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sizes = [int(s) for s in args.sizes.split(",") if s] or ([10] if args.quick else [10, 30, 100])
    repeats = args.repeats or (1 if args.quick else 2)
    deadline = time.monotonic() + args.budget
    results = run(
        sizes, repeats, check=not args.quick, remaining=lambda: deadline - time.monotonic()
    )
    text = chapter(results) + "\n" + " | ".join(target_row(results)) + "\n"
    if args.output:
        args.output.write_text(text)
        (args.output.with_suffix(".json")).write_text(json.dumps(to_json(results), indent=1))
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
