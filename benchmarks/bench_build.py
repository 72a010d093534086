"""Section ``build``: build time of the Flyte capability, the corpus and small synthetic specs.

Samples are taken round-robin across the specs so that background load spreads evenly; then
the regeneration with a filled format cache, and a cProfile of ``compile_spec``. Its chapter,
shared with the ``large`` and ``generators`` sections, is ``report_build.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import synth
from bench_setup import SPEC
from benchlib import BENCH, WORK, log, summary
from build_measure import (
    BuildInput,
    BuildSpecs,
    fresh_cache,
    run_worker,
    summarise_build,
    whole_process,
    worker_run,
    write_warmup,
)
from results import Config, from_json
from section import Context, Section

FLYTE_FULL = BENCH / "specs" / "flyte-capability.yaml"


@dataclass
class ProfileRow:
    """One function of a build profile."""

    function: str
    calls: int
    tottime: float
    cumtime: float


@dataclass
class BuildProfile:
    """cProfile of one ``compile_spec``: own time by package and the top functions."""

    total_s: float = 0.0
    by_group: dict[str, float] = field(default_factory=dict)
    top_tottime: list[ProfileRow] = field(default_factory=list)
    ours_cumtime: list[ProfileRow] = field(default_factory=list)


@dataclass
class BuildResults(BuildSpecs):
    """The specs measured, and the build profiles of the two Flyte specs."""

    profile_flyte_full: BuildProfile | None = None
    profile_flyte: BuildProfile | None = None


def build_inputs(cfg: Config) -> list[BuildInput]:
    """The specs measured, with their numbers of samples."""
    procs, whole = cfg.small_procs, cfg.small_whole
    big = cfg.big_procs
    inputs = [
        BuildInput(
            "flyte-admin-executions.yaml (the Flyte capability)",
            "flyte",
            SPEC,
            "flyte",
            procs,
            3,
            whole,
            compile=True,
        )
    ]
    if cfg.corpus:
        inputs.append(
            BuildInput(
                "flyte-capability.yaml (whole Flyte Admin API)",
                "flyte-full",
                FLYTE_FULL,
                "flyte",
                max(big, 3 if procs > 2 else procs),
                2,
                max(big, 3 if whole > 2 else whole),
                compile=True,
                gc=True,
            )
        )
        others = sorted(
            (BENCH / "specs").glob("other-*.yaml"), key=lambda p: p.stat().st_size, reverse=True
        )
        inputs += [BuildInput(path.name, path.stem, path, "other", big, 1, big) for path in others]
    for n in cfg.synthetic_small:
        path = synth.write_synthetic(n, WORK / "specs")
        small = n <= 10
        inputs.append(
            BuildInput(
                f"synthetic-{n}",
                f"synthetic-{n}",
                path,
                "synthetic",
                procs if small else min(procs, 2),
                1,
                whole if small else min(whole, 2),
                ops=n,
                gc=n >= 100,
            )
        )
    return inputs


def run(ctx: Context, out: BuildResults) -> None:
    """Every spec in process and as a whole process, then the cache-hit rebuilds, the profiles."""
    warmup = write_warmup()
    entries = build_inputs(ctx.cfg)
    runs: dict[str, list[dict[str, Any]]] = {e.key: [] for e in entries}
    wholes: dict[str, list[tuple[float, int]]] = {e.key: [] for e in entries}
    for i in range(max(e.procs for e in entries)):
        log(f"build: in-process round {i + 1}")
        for entry in entries:
            if i < entry.procs:
                runs[entry.key].append(worker_run(entry, warmup, ctx.budget, i))
    for i in range(max(e.whole for e in entries)):
        log(f"build: whole-process round {i + 1}")
        for entry in entries:
            if i < entry.whole:
                wholes[entry.key].append(
                    whole_process(entry.path, entry.key, i, max(30.0, ctx.budget.remaining() - 30))
                )
    for entry in entries:
        out.specs[entry.key] = summarise_build(entry, runs[entry.key], wholes[entry.key])
    for (
        entry
    ) in entries:  # regeneration with the format cache filled by a previous build of the same spec
        if entry.kind != "flyte":
            continue
        log(f"build: {entry.name} again, format cache warm")
        cache = fresh_cache()
        whole_process(entry.path, entry.key + "-prime", 0, 120, cache=cache)
        hits = [
            whole_process(entry.path, entry.key + "-hit", i, 120, cache=cache)[0]
            for i in range(entry.whole)
        ]
        out.specs[entry.key].whole_process_cache_hit = summary(hits)
    if ctx.cfg.corpus:
        log("build: profile of flyte-capability.yaml")
        out.profile_flyte_full = build_profile(run_worker(FLYTE_FULL, warmup, 1, 300, "--profile"))
    out.profile_flyte = build_profile(run_worker(SPEC, warmup, 1, 300, "--profile"))


def build_profile(worker: dict[str, Any]) -> BuildProfile | None:
    """The profile ``build_worker.py --profile`` reported, if any."""
    profile = worker.get("profile")
    return from_json(BuildProfile, profile) if profile is not None else None


BUILD = Section(
    "build",
    "build time of the Flyte capability, the corpus and small synthetic specs",
    BuildResults,
    run,
)
