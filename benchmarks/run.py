#!/usr/bin/env python3
"""`make bench`: build speed and the speed of the generated servers, beside the alternatives.

Run with the project's interpreter (``.venv/bin/python benchmarks/run.py``, which is what
``make bench`` does). It sets up (``bench_setup.py``: compiles the Flyte capability, creates
``benchmarks/.venv`` with the tools compared against, installs wrk), runs the sections listed
in ``registry.py`` (each in its ``bench_*.py``), and writes ``work/results.json`` and
``RESULTS.md`` (``report.py``).

Everything runs on 127.0.0.1, every measurement is bounded in time, and the run stops
scheduling new work when its budget (``--budget``) runs out. Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report  # noqa: E402
from bench_setup import compile_generated, setup_environment, warm_bytecode  # noqa: E402
from benchlib import PIN, ROOT, WORK, Budget, git_revision, loadavg, log, stop_all  # noqa: E402
from registry import SECTIONS  # noqa: E402
from results import Config, Machine, Results, save  # noqa: E402
from section import Context, Section  # noqa: E402

SECTION_NAMES = [section.name for section in SECTIONS]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    sections = "\n".join(f"  {s.name:<11} {s.help}" for s in SECTIONS)
    parser = argparse.ArgumentParser(
        description="make bench",
        epilog=f"sections, in the order they run:\n{sections}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--quick",
        action="store_true",
        help="every section cut down (about 3 minutes); figures not meaningful",
    )
    size.add_argument(
        "--smoke",
        action="store_true",
        help="the smallest run of each section, installing nothing (the smoke test's)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=1250,
        help="wall-clock budget in seconds (default 1250; make bench may first create the venv)",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTION_NAMES),
        help="comma-separated subset to run (default: all)",
    )
    parser.add_argument(
        "--output", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sections.split(",")) - set(SECTION_NAMES))
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)} (known: {', '.join(SECTION_NAMES)})")
    return args


def prepare_process(smoke: bool) -> None:
    """Caches and signals for the run (this process and every process it starts)."""
    if not smoke:
        # Bytecode caches on, kept under benchmarks/work (this sandbox sets PYTHONDONTWRITEBYTECODE,
        # which would recompile every module on every start and inflate import and start-up times).
        # --smoke keeps the caller's settings and the bytecode pip wrote: its figures do not count.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    # The compiler caches black's output by content (NAFTIKO_GEN_CACHE_DIR): every build sample
    # gets its own empty cache (build_measure.fresh_cache); nothing here reads or fills ~/.cache.
    os.environ["NAFTIKO_GEN_CACHE_DIR"] = str(WORK / "fmtcache" / "default")
    WORK.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(WORK / "fmtcache", ignore_errors=True)
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def run_section(section: Section[Any], ctx: Context) -> None:
    """One section, unless the budget is spent; a failure is recorded and the others still run."""
    results, budget = ctx.results, ctx.budget
    name = section.name
    if budget.remaining() < 45:
        results.errors[name] = f"skipped: time budget exhausted ({budget.elapsed():.0f} s elapsed)"
        return
    log(f"== {name} (load {loadavg()}, {budget.remaining():.0f} s left)")
    results.load[name] = loadavg()
    t = time.perf_counter()
    result = section.result_type()
    results.sections[name] = result
    try:
        section.run(ctx, result)
    except Exception as error:  # a failing section is reported, the others still run
        results.errors[name] = "".join(traceback.format_exception(error))[-3000:]
        log(f"{name} failed: {error}")
    results.section_s[name] = time.perf_counter() - t


def run(results: Results, selected: set[str], budget: Budget) -> None:
    """Set up, then run the ``selected`` sections in registry order, into ``results``."""
    log(f"machine: {results.machine.cpu_model}, {results.machine.cores} cores; load {loadavg()}")
    try:
        t = time.perf_counter()
        log("== setup: compile the Flyte capability, the benchmark venv, wrk")
        gen = results.generated = compile_generated()
        env = results.environment = setup_environment(gen, install=not results.smoke)
        if not results.smoke:
            env.bytecode = warm_bytecode(env, gen)
        results.section_s["setup"] = time.perf_counter() - t
        log(f"setup done in {results.section_s['setup']:.1f} s; wrk: {env.wrk_note}")
        ctx = Context(results.config, budget, env, gen, results)
        for section in SECTIONS:
            if section.name in selected:
                run_section(section, ctx)
    except Exception as error:
        results.errors["setup"] = "".join(traceback.format_exception(error))[-3000:]
        log(f"setup failed: {error}")


def main(argv: list[str] | None = None) -> int:
    """``make bench``; see ``--help``."""
    args = parse_args(argv)
    budget = Budget(args.budget)
    prepare_process(args.smoke)
    results = Results(
        machine=Machine.collect(),
        revision=git_revision(),
        config=Config.smoke() if args.smoke else Config.quick() if args.quick else Config.full(),
        quick=args.quick or args.smoke,
        smoke=args.smoke,
        pinning=PIN,
        load={"start": loadavg()},
    )
    try:
        run(results, set(args.sections.split(",")), budget)
    finally:  # also when interrupted: what was measured is written
        stop_all()
        results.load["end"] = loadavg()
        results.total_s = budget.elapsed()
        save(results, WORK / "results.json")
        args.output.write_text(report.render(results))
        shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
        log(f"wrote {shown} in {results.total_s:.0f} s total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
