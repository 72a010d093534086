"""Time one compilation, phase by phase, in a fresh process (run by ``run.py``).

Runs under the interpreter that has naftiko-gen installed (the project's ``.venv``). It
imports the phases, compiles a small warm-up spec once (templates compiled, validator and
black initialised, as in any process that has built before), then compiles SPEC
``--repeat`` times calling each phase function directly, as ``pipeline.compile_spec`` does:
load (``loader.load_document``), schema (``schema_check.check_schema``), semantic
(``semantic.check_semantics``), lower (``lower.lower``), render (``render.render_parts``),
format (``formatting.format_files``, the rendered modules only). The first repetition is
"primed" (nothing of SPEC cached yet: ``run.py`` gives each process an empty format cache,
``NAFTIKO_GEN_CACHE_DIR``), the next ones are "warm" (the format cache and the schema check's
memo already hold SPEC's results). Prints one ``BENCH_JSON`` line. The ``--compile`` check,
the GC experiment and the profile run with the format cache off, so black really runs.

``--profile FILE`` also runs ``compile_spec`` once under cProfile (after the repetitions)
and adds where the time goes, by package, to the JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import hashlib
import json
import os
import pstats
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

t_import = time.perf_counter()
from naftiko_codegen import __version__  # noqa: E402
from naftiko_codegen.diagnostics import CompilationFailed, has_errors  # noqa: E402
from naftiko_codegen.formatting import format_files  # noqa: E402
from naftiko_codegen.loader import load_document  # noqa: E402
from naftiko_codegen.lower import lower  # noqa: E402
from naftiko_codegen.pipeline import compile_spec, without_cyclic_gc  # noqa: E402
from naftiko_codegen.render import render_parts  # noqa: E402
from naftiko_codegen.schema_check import check_schema  # noqa: E402
from naftiko_codegen.semantic import check_semantics  # noqa: E402

IMPORT_S = time.perf_counter() - t_import
PHASES = ("load", "schema", "semantic", "lower", "render", "format")


def count_operations(data: Any) -> dict[str, int]:
    """Consumed operations, REST operations and MCP tools declared in a loaded spec."""
    counts = {"consumed": 0, "rest": 0, "mcp": 0}
    capability = data.get("capability", {}) if isinstance(data, dict) else {}
    for api in capability.get("consumes", []) or []:
        for resource in api.get("resources", []) or []:
            counts["consumed"] += len(resource.get("operations", []) or [])
    for adapter in capability.get("exposes", []) or []:
        if adapter.get("type") == "rest":
            for resource in adapter.get("resources", []) or []:
                counts["rest"] += len(resource.get("operations", []) or [])
        elif adapter.get("type") == "mcp":
            counts["mcp"] += len(adapter.get("tools", []) or [])
    return counts


def timed_phases(spec: Path) -> dict[str, Any]:
    """One compilation with every phase timed; stops at the first phase that finds errors.

    The cyclic GC is off throughout, as ``pipeline.compile_spec`` has it.
    """
    with without_cyclic_gc():
        return _timed_phases(spec)


def _timed_phases(spec: Path) -> dict[str, Any]:
    times: dict[str, float] = {}
    result: dict[str, Any] = {"times": times, "status": "ok"}
    t = time.perf_counter()
    try:
        document = load_document(spec, display_name=spec.name)
    except CompilationFailed as failure:
        times["load"] = time.perf_counter() - t
        result.update(status="rejected", errors=len(failure.diagnostics), phase="load")
        return result
    digest = hashlib.sha256(spec.read_bytes()).hexdigest()
    times["load"] = time.perf_counter() - t
    result["operations"] = count_operations(document.data)
    t = time.perf_counter()
    diagnostics = check_schema(document)
    times["schema"] = time.perf_counter() - t
    if has_errors(diagnostics):
        result.update(
            status="rejected",
            errors=sum(d.severity == "error" for d in diagnostics),
            phase="schema",
        )
        return result
    t = time.perf_counter()
    diagnostics = diagnostics + check_semantics(document)
    times["semantic"] = time.perf_counter() - t
    if has_errors(diagnostics):
        result.update(
            status="rejected",
            errors=sum(d.severity == "error" for d in diagnostics),
            phase="semantic",
        )
        return result
    t = time.perf_counter()
    capability, lowering = lower(document, None)
    times["lower"] = time.perf_counter() - t
    if has_errors(lowering):
        result.update(
            status="rejected", errors=sum(d.severity == "error" for d in lowering), phase="lower"
        )
        return result
    t = time.perf_counter()
    rendered, copied = render_parts(capability, digest)
    times["render"] = time.perf_counter() - t
    t = time.perf_counter()
    # as compile_spec does: the runtime modules are copied as they are, never formatted
    formatted = {**format_files(rendered), **copied}
    files = {**rendered, **copied}
    times["format"] = time.perf_counter() - t
    result["files"] = len(formatted)
    result["python_files"] = sum(1 for path in files if path.endswith(".py"))
    result["changed_by_format"] = sum(
        1 for path in files if path.endswith(".py") and files[path] != formatted[path]
    )
    result["generated_lines"] = sum(text.count("\n") for text in formatted.values())
    result["generated_bytes"] = sum(len(text.encode()) for text in formatted.values())
    return result


def _group(filename: str) -> str:
    if "/naftiko_codegen/" in filename:
        return "naftiko_codegen (ours: compiler code)"
    if filename.endswith(".j2") or "/templates/" in filename:
        return "templates (ours: compiled Jinja templates)"
    if "/black/" in filename or "/blib2to3/" in filename or "black" in filename.rsplit("/", 1)[-1]:
        return "black (formatting)"
    if "/yaml/" in filename:
        return "PyYAML (parsing)"
    if "/jinja2/" in filename or "/markupsafe/" in filename:
        return "Jinja2 runtime"
    if "/jsonschema" in filename or "/referencing/" in filename or "/rpds" in filename:
        return "jsonschema (validation)"
    return "other (stdlib, interpreter)"


def profile_summary(profiler: cProfile.Profile, total: float) -> dict[str, Any]:
    """Own time by package (C built-ins charged to their Python caller) and top functions."""
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    groups: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, callers) in raw.items():
        if filename == "~" and ("black" in name or "blib2to3" in name):  # mypyc-compiled black
            groups[_group("/black/")] = groups.get(_group("/black/"), 0.0) + tottime
        elif filename == "~" and callers:
            edge_total = sum(edge[2] for edge in callers.values()) or 1.0
            for (caller_file, _l, _n), edge in callers.items():
                share = tottime * edge[2] / edge_total
                groups[_group(caller_file)] = groups.get(_group(caller_file), 0.0) + share
        else:
            groups[_group(filename)] = groups.get(_group(filename), 0.0) + tottime
    top = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:15]
    ours = sorted(
        ((k, v) for k, v in raw.items() if "/naftiko_codegen/" in k[0]),
        key=lambda item: item[1][3],
        reverse=True,
    )[:12]

    def row(key: Any, value: Any) -> dict[str, Any]:
        filename, line, name = key
        short = filename.split("site-packages/")[-1].split("/work/main/")[-1]
        return {
            "function": f"{short}:{line}({name})",
            "calls": value[1],
            "tottime": value[2],
            "cumtime": value[3],
        }

    return {
        "total_s": total,
        "by_group": dict(sorted(groups.items(), key=lambda item: item[1], reverse=True)),
        "top_tottime": [row(k, v) for k, v in top],
        "ours_cumtime": [row(k, v) for k, v in ours],
    }


def cached_entries() -> int:
    """How many formatted modules the format cache holds (0: the first build really formats)."""
    from naftiko_codegen.formatting import cache_dir

    where = cache_dir()
    return sum(1 for _ in where.glob("*/*")) if where is not None and where.is_dir() else 0


@contextlib.contextmanager
def cache_off() -> Iterator[None]:
    """The compiler's format cache disabled (NAFTIKO_GEN_CACHE_DIR=off), so black really runs."""
    saved = os.environ.get("NAFTIKO_GEN_CACHE_DIR")
    os.environ["NAFTIKO_GEN_CACHE_DIR"] = "off"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("NAFTIKO_GEN_CACHE_DIR", None)
        else:
            os.environ["NAFTIKO_GEN_CACHE_DIR"] = saved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", type=Path)
    parser.add_argument("--warmup", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--compile", action="store_true", help="also time compile_spec() as a whole"
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--gc-experiment",
        action="store_true",
        help="also time the format phase with the cyclic GC enabled",
    )
    args = parser.parse_args()
    out: dict[str, Any] = {"import_s": IMPORT_S, "version": __version__}
    # The warm-up must not fill the format cache: files that do not depend on the spec
    # (``__init__.py``) would then be cache hits in the "first build".
    with cache_off():
        t = time.perf_counter()
        compile_spec(args.warmup)
        out["warmup_s"] = time.perf_counter() - t
    out["cache_entries_before_first_build"] = cached_entries()
    reps = []
    for _ in range(args.repeat):
        rep = timed_phases(args.spec)
        rep["total"] = sum(rep["times"].values())
        if args.compile and rep["status"] == "ok":
            with cache_off():
                t = time.perf_counter()
                compile_spec(args.spec)
                rep["compile_spec_s"] = time.perf_counter() - t
        reps.append(rep)
    out["reps"] = reps
    if args.gc_experiment and (not reps or reps[0]["status"] == "ok"):
        document = load_document(args.spec, display_name=args.spec.name)
        capability, _ = lower(document, None)
        files, _ = render_parts(capability, "digest")
        gc.collect()
        with cache_off():
            # The compiler itself formats with the collector off (pipeline.without_cyclic_gc).
            gc.enable()
            t = time.perf_counter()
            format_files(files)
            out["format_gc_enabled_s"] = time.perf_counter() - t
    if args.profile and reps and reps[0]["status"] == "ok":
        profiler = cProfile.Profile()
        with cache_off():
            t = time.perf_counter()
            profiler.enable()
            compile_spec(args.spec)
            profiler.disable()
        out["profile"] = profile_summary(profiler, time.perf_counter() - t)
    print("BENCH_JSON " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
