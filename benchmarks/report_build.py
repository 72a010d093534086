"""The ``## 1. Build`` chapter and the build targets: the specs of every build section side by side.

It shows what the ``build`` and ``large`` sections measured (``build_measure.BuildSpec``), the
scaling with the number of operations, the phases, the GC experiment, the other generators
(section ``generators``) beside naftiko-gen, and the build profiles.
"""

from __future__ import annotations

import math

from bench_build import BUILD, BuildProfile
from bench_generators import GENERATORS, GeneratorRun
from benchlib import least_squares
from build_measure import PHASES, BuildSpec, Rejection, all_build_specs, synthetic_points
from report_format import num, pct, ratio, sec, stat_num, stat_s, table
from results import Results

FLAT_LIMIT = 1.25
"""Per-operation time at 5,000 operations may be at most this × the time at 100."""


def flyte_target(results: Results) -> list[str]:
    """The target row: the Flyte capability builds in ≤ 0.25 s in process."""
    specs = all_build_specs(results)
    flyte = specs.get("flyte")
    if flyte is None or flyte.status != "ok":
        return ["build of the Flyte capability ≤ 0.25 s in-process", "not measured", "n/a"]
    m = flyte.in_process_primed.median
    warm = flyte.in_process_warm.median if flyte.in_process_warm else None
    full = specs.get("flyte-full")
    extra = ""
    if full is not None and full.status == "ok":
        consumed = full.operations.get("consumed")
        extra = (
            f"; whole Flyte Admin API (flyte-capability.yaml, {consumed} operations): "
            f"{sec(full.in_process_primed.median)}"
        )
    if m <= 0.25:
        verdict = "PASS"
    elif warm is not None and warm <= 0.25:
        verdict = "MISS (PASS with a warm format cache)"
    else:
        verdict = "MISS"
    return [
        "build of the Flyte capability ≤ 0.25 s in-process",
        f"{sec(m)} for specs/flyte-admin-executions.yaml (median; first build, format cache "
        f"empty); {sec(warm)} when rebuilt with the format cache filled{extra}",
        verdict,
    ]


def flat_target(results: Results) -> list[str]:
    """The target row: flat cost per operation up to 5,000 operations.

    Per-operation time at the largest size against 100 operations (below 100 the fixed cost
    of a build still dominates the per-operation figure).
    """
    specs = all_build_specs(results)
    by_ops = {n: t / n for n, t, _ in synthetic_points(specs)}
    base = 100 if 100 in by_ops else (min(by_ops) if by_ops else None)
    largest = max(by_ops) if by_ops else None
    if not (base and largest and largest > base):
        return ["flat cost per operation up to 5,000 operations", "not measured", "n/a"]
    growth = by_ops[largest] / by_ops[base]
    text = ", ".join(
        f"{sec(by_ops[n])} per operation at {num(n)}" for n in sorted(by_ops) if n >= base
    )
    text += (
        f": × {growth:.2f} from {num(base)} to {num(largest)} operations (flat means ≤ × "
        f"{FLAT_LIMIT})"
    )
    if largest < 5000:
        skipped = specs.get("synthetic-5000")
        why = skipped.skipped if skipped and skipped.not_measured else ""
        text += f". 5,000 operations: {why or 'not measured'}"
        verdict = "MISS" if growth > FLAT_LIMIT else "n/a (5,000 not measured)"
    else:
        verdict = "PASS" if growth <= FLAT_LIMIT else "MISS"
    return ["flat cost per operation up to 5,000 operations", text, verdict]


def problems(results: Results) -> list[str]:
    """The specs the compiler rejected."""
    return [
        f"- {d.name}: rejected by the compiler with {d.rejected.errors} errors in the "
        f"{d.rejected.phase} phase (`naftiko-gen validate` shows them); timed up to the rejection."
        for d in all_build_specs(results).values()
        if d.status == "rejected" and d.rejected is not None
    ]


def whole_cell(d: BuildSpec) -> str:
    """The whole-process figure, or why there is none."""
    return stat_s(d.whole_process) if d.whole_process is not None else (d.whole_note or "–")


def spec_row(d: BuildSpec) -> list[str]:
    """One row of the build table."""
    if d.not_measured:
        return [d.name, num(d.ops), "–", d.skipped or d.status, "–", "–", "–", "–", "–"]
    ops = d.operations
    rejected = d.rejected or Rejection()
    status = "ok" if d.status == "ok" else f"rejected ({rejected.errors} errors, {rejected.phase})"
    consumed = ops.get("consumed") or 0
    per_op = d.in_process_primed.median / consumed if consumed and d.status == "ok" else None
    return [
        d.name,
        f"{ops.get('consumed', '?')} / {ops.get('rest', '?')} / {ops.get('mcp', '?')}",
        num(d.lines),
        status,
        num(d.generated_lines) if d.generated_lines else "–",
        stat_s(d.in_process_primed),
        stat_s(d.in_process_warm),
        whole_cell(d),
        sec(per_op),
    ]


def chapter(results: Results) -> str:
    """``## 1. Build``: every spec, scaling, phases, GC experiment, other generators, profiles."""
    specs = all_build_specs(results)
    if not specs:
        return "## 1. Build\n\nNot measured.\n"
    out = ["## 1. Build\n"]
    out.append(
        "Operations are counted as consumed / REST / MCP. *First build*: the in-process time of "
        "the first compilation of the spec in a process (after a warm-up on another spec). A "
        "rejected spec is timed up to the phase that rejects it (it is invalid input for this "
        "compiler: the corpus is real-world data).\n"
    )
    out.append(
        table(
            [
                "spec",
                "operations",
                "spec lines",
                "status",
                "generated lines",
                "in-process, first build (format cache empty)",
                "in-process, repeated (format cache hit)",
                "whole process (format cache empty)",
                "per operation (first build)",
            ],
            [spec_row(d) for d in specs.values()],
        )
        + "\n"
    )
    hits = [
        (d.name, d.whole_process_cache_hit) for d in specs.values() if d.whole_process_cache_hit
    ]
    if hits:
        out.append(
            "Regeneration with the compiler's format cache already filled by a previous build of "
            "the same spec (`naftiko-gen build` again, as pre-commit or a drift check does): whole "
            "process "
            + "; ".join(f"{stat_s(h)} for {name}" for name, h in hits)
            + '. The in-process equivalent is the "repeated" column.\n'
        )
    out += scaling(specs)
    out += phases(specs)
    flyte = specs.get("flyte", BuildSpec())
    if flyte.import_s.n:
        out.append(
            f"Importing the compiler takes {stat_s(flyte.import_s)}; the first compilation in a "
            "fresh process (the warm-up spec: template compilation, validator construction) "
            f"{stat_s(flyte.warmup_s)}. `compile_spec()` timed as a whole on the Flyte capability: "
            f"{stat_num([v * 1000 for v in flyte.compile_spec_s], 0, ' ms')}, with the format "
            "cache off, for comparison with the sum of the phases.\n"
        )
    out += generators_part(results, flyte)
    build = BUILD.result(results)
    for label, prof in (
        (
            "flyte-capability.yaml (whole Flyte Admin API)",
            build.profile_flyte_full if build else None,
        ),
        ("specs/flyte-admin-executions.yaml", build.profile_flyte if build else None),
    ):
        if prof:
            out += profile_part(label, prof)
    return "\n".join(out)


def scaling(specs: dict[str, BuildSpec]) -> list[str]:
    """``### Scaling with the number of operations``, when two synthetic sizes were built."""
    points = synthetic_points(specs)
    if len(points) < 2:
        return []
    xs = [n for n, _, _ in points]
    slope, intercept = least_squares(xs, [t for _, t, _ in points])
    out = ["### Scaling with the number of operations (synthetic capabilities)\n"]
    out.append(
        "`benchmarks/synth.py N` writes a capability of the Flyte spec's shape: N consumed "
        "operations (one in three a POST with a body, the others GET/DELETE with 2–3 dotted path "
        "parameters), one REST operation and one MCP tool per operation.\n"
    )
    rows = []
    for n, t, d in points:
        fmt = d.phases_primed["format"].median if "format" in d.phases_primed else math.nan
        rows.append(
            [
                num(n),
                num(d.lines),
                num(d.generated_lines),
                stat_s(d.in_process_primed),
                sec(t / n),
                whole_cell(d),
                sec(fmt / n),
            ]
        )
    out.append(
        table(
            [
                "operations",
                "spec lines",
                "generated lines",
                "in-process",
                "per operation",
                "whole process",
                "of which format, per operation",
            ],
            rows,
        )
        + "\n"
    )
    sizes = ", ".join(num(x) for x in xs)
    fit = (
        f"Least-squares fit over {len(xs)} sizes ({sizes}): **{sec(slope)} per operation** "
        f"(slope), intercept {sec(intercept)}."
    )
    big = [(n, t) for n, t, _ in points if n >= 100]
    if len(big) >= 2:
        b = (math.log(big[-1][1]) - math.log(big[0][1])) / (
            math.log(big[-1][0]) - math.log(big[0][0])
        )
        fit += (
            f" Growth exponent between {num(big[0][0])} and {num(big[-1][0])} operations (time ∝ "
            f"nᵏ): k = {b:.2f} (1.00 = exactly linear)."
        )
    out.append(fit + "\n")
    out += [
        f"- {d.name}: {d.skipped}\n"
        for d in specs.values()
        if d.kind == "synthetic" and d.not_measured
    ]
    return out


def phases(specs: dict[str, BuildSpec]) -> list[str]:
    """``### Per phase``, and the format phase with the cyclic GC on and off."""
    rows = []
    for d in specs.values():
        if d.status != "ok" or not d.phases_primed:
            continue
        total = sum(p.median for p in d.phases_primed.values())
        rows.append(
            [d.name]
            + [
                (
                    f"{sec(d.phases_primed[p].median)} ({pct(d.phases_primed[p].median, total)})"
                    if p in d.phases_primed
                    else "–"
                )
                for p in PHASES
            ]
        )
    out = ["### Per phase (in-process, first build; median and share of the total)\n"]
    out.append(
        table(
            [
                "spec",
                "load (YAML)",
                "schema",
                "semantic",
                "lower",
                "render (Jinja)",
                "format (black)",
            ],
            rows,
        )
        + "\n"
    )
    gc_rows = []
    for d in specs.values():
        if d.format_gc_enabled_s and "format" in d.phases_primed:
            off = d.phases_primed["format"].median
            on = d.format_gc_enabled_s
            lines = d.generated_lines or 0
            gc_rows.append(
                [
                    d.name,
                    num(lines),
                    sec(on),
                    f"{on / lines * 1e6:.0f} µs" if lines else "–",
                    sec(off),
                    f"{off / lines * 1e6:.0f} µs" if lines else "–",
                    ratio(on / off),
                ]
            )
    if gc_rows:
        out.append("### Format phase with Python's cyclic garbage collector off\n")
        out.append(
            "The compiler formats with the collector off (the per-phase figures); the same "
            "`format_files()` call on the same rendered files, once more in the same process with "
            "the collector on, shows what that saves (one sample each; see Findings).\n"
        )
        out.append(
            table(
                [
                    "spec",
                    "generated lines",
                    "format (gc on)",
                    "per line",
                    "format (gc off)",
                    "per line",
                    "speed-up",
                ],
                gc_rows,
            )
            + "\n"
        )
    return out


def profile_part(label: str, prof: BuildProfile) -> list[str]:
    """``### Where the build time goes`` for one profiled spec."""
    total = prof.total_s
    return [
        f"### Where the build time goes: cProfile of `compile_spec` on {label}\n",
        "Own time by package (C built-ins charged to their Python caller; black is compiled with "
        "mypyc, so all of its time shows as `black.format_str`). Total under the profiler: "
        f"{sec(total)}.\n",
        table(
            ["package", "time", "share"],
            [[g, sec(t), pct(t, total)] for g, t in prof.by_group.items()],
        )
        + "\n",
        table(
            ["function (top own time)", "calls", "own", "cumulative"],
            [
                [f"`{r.function}`", num(r.calls), sec(r.tottime), sec(r.cumtime)]
                for r in prof.top_tottime[:8]
            ],
        )
        + "\n",
    ]


def what_it_generates(name: str, d: GeneratorRun) -> str:
    """The "what it generates" cell."""
    if name == "openapi-python-client":
        what = f"client; {d.status}" + (f" ({d.titles_removed} titles)" if d.titles_removed else "")
        skipped = sum(1 for w in d.warnings if w.startswith("WARNING"))
        return what + (
            f"; {skipped} of 7 endpoints skipped by it (dotted path parameters)" if skipped else ""
        )
    if name == "fastapi-code-generator":
        return f"FastAPI server stubs + pydantic models; {d.status}"
    return d.status


def generators_part(results: Results, flyte: BuildSpec) -> list[str]:
    """``### Versus other generators``, in the build chapter."""
    section = GENERATORS.result(results)
    if section is None or not section.generators:
        return []
    ours = flyte.whole_process
    rows = [
        [
            "naftiko-gen build (specs/flyte-admin-executions.yaml)",
            "7 operations: REST server + MCP server + client",
            f"{num(flyte.generated_lines)} lines, {flyte.generated_files} files",
            stat_s(ours),
            "1.00×",
        ]
    ]
    for name, d in section.generators.items():
        if d.whole_process is None:
            rows.append([name, d.status or "?", "–", "–", "–"])
            continue
        r = (
            ours.median / d.whole_process.median
            if ours is not None and d.whole_process.median
            else math.nan
        )
        rows.append(
            [
                name,
                what_it_generates(name, d),
                f"{num(d.lines)} lines, {d.files} files",
                stat_s(d.whole_process),
                ratio(r),
            ]
        )
    out = ["### Versus other generators (whole process, equivalent OpenAPI input)\n"]
    out.append(
        table(
            [
                "generator",
                "what it generates",
                "output (.py)",
                "whole process",
                "naftiko-gen time / its time",
            ],
            rows,
        )
        + "\n"
    )
    verbatim = section.generators.get("openapi-python-client", GeneratorRun()).verbatim
    if verbatim is not None and verbatim.error:
        out.append(
            f"openapi-python-client on the verbatim OpenAPI: exit {verbatim.exit} after "
            f"{sec(verbatim.s)}: `{verbatim.error[:300]}`\n"
        )
    return out
