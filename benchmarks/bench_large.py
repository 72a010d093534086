"""Section ``large``: synthetic capabilities of 1,000 and 5,000 operations, within the budget.

It runs after the small builds and before the runtime sections, keeping ``runtime_reserve``
seconds of the budget for them: a size whose build is estimated (from the sizes measured
before it) to take longer than what is left is recorded as skipped, with the estimate. The
in-process builds come first; with time to spare, the format-with-GC-on experiment on the
smallest size and the whole-process builds. Its specs appear in the ``## 1. Build`` chapter.
"""

from __future__ import annotations

import subprocess

import synth
from benchlib import WORK, log, summary
from build_measure import (
    BuildInput,
    BuildSpec,
    BuildSpecs,
    all_build_specs,
    estimate_build,
    measure_build,
    run_worker,
    whole_process,
    write_warmup,
)
from section import Context, Section


def run(ctx: Context, out: BuildSpecs) -> None:
    """Each large size in process if the budget allows, then the GC experiment, whole processes."""
    warmup = write_warmup()
    budget, reserve = ctx.budget, ctx.cfg.runtime_reserve
    done: list[tuple[int, BuildInput]] = []
    for n in ctx.cfg.synthetic_large:
        path = synth.write_synthetic(n, WORK / "specs")
        key = f"synthetic-{n}"
        estimate = estimate_build(all_build_specs(ctx.results), n)
        left = budget.remaining() - reserve
        log(
            f"build: synthetic-{n} (estimated {estimate:.0f} s per build, {left:.0f} s left before "
            "the runtime sections)"
        )
        if left < 0.9 * estimate:
            out.specs[key] = BuildSpec(
                name=key,
                kind="synthetic",
                ops=n,
                status="skipped",
                estimate_s=estimate,
                skipped=f"not run: one build is estimated at ≈ {estimate:.0f} s (extrapolated from "
                f"the sizes measured before it), more than the {max(left, 0):.0f} s the 15-minute "
                "bound leaves for it",
            )
            continue
        entry = BuildInput(key, key, path, "synthetic", procs=1, repeat=1, whole=0, ops=n)
        try:
            spec = measure_build(entry, warmup, budget, timeout=max(30.0, left + 90))
        except subprocess.TimeoutExpired:
            out.specs[key] = BuildSpec(
                name=key,
                kind="synthetic",
                ops=n,
                status="timeout",
                skipped=f"did not finish within the {left + 90:.0f} s left in the budget (so more "
                f"than {(left + 90) / n * 1000:.0f} ms per operation)",
            )
            continue
        spec.estimate_s, spec.whole_note = estimate, "not run (time budget)"
        out.specs[key] = spec
        done.append((n, entry))
    for n, entry in done[:1]:  # the GC experiment on the smallest large size
        spec = out.specs[entry.key]
        fmt = spec.phases_primed.get("format")
        if fmt is not None and budget.remaining() - reserve > 0.9 * fmt.median:
            log(f"build: synthetic-{n}, format with the GC on")
            limit = max(30.0, budget.remaining() - reserve + 60)
            data = run_worker(entry.path, warmup, 0, limit, "--gc-experiment")
            spec.format_gc_enabled_s = data.get("format_gc_enabled_s")
    for n, entry in done:
        spec = out.specs[entry.key]
        if budget.remaining() - reserve > 1.3 * spec.in_process_primed.median:
            log(f"build: synthetic-{n}, whole process")
            seconds, code = whole_process(
                entry.path, entry.key, 0, max(30.0, budget.remaining() - reserve + 60)
            )
            spec.whole_process, spec.whole_exit, spec.whole_note = summary([seconds]), [code], ""


LARGE = Section(
    "large",
    "synthetic capabilities of 1,000 and 5,000 operations (within the budget)",
    BuildSpecs,
    run,
)
