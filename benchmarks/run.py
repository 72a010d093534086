#!/usr/bin/env python3
"""`make bench`: build speed and the speed of the generated servers, beside the alternatives.

Run with the project's interpreter (``.venv/bin/python benchmarks/run.py``, which is what
``make bench`` does). It

1. compiles ``specs/flyte-admin-executions.yaml`` into ``benchmarks/work/gen``;
2. creates ``benchmarks/.venv`` with the generated package's dependencies, ``fastmcp``,
   ``openapi-python-client`` and ``fastapi-code-generator`` (anything that cannot be
   installed is recorded and its measurements skipped), and installs ``wrk`` with apt-get
   when it can (else a Python load generator is used);
3. measures build time (in-process, per phase, and whole-process; versus the other
   generators), REST and MCP throughput and latency (versus a hand-written Starlette + httpx
   proxy and ``FastMCP.from_openapi``), and the generated package's footprint;
4. writes ``benchmarks/RESULTS.md`` and ``benchmarks/work/results.json``.

Everything runs on 127.0.0.1, every measurement is bounded in time, and the whole run stops
scheduling new work when its budget (``--budget``, 14 minutes by default) runs out. Speed is
reported, never asserted.
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report  # noqa: E402
import synth  # noqa: E402
from benchlib import (  # noqa: E402
    BENCH,
    LOGS,
    PIN,
    ROOT,
    WORK,
    Budget,
    Server,
    create_venv,
    ensure_wrk,
    free_port,
    git_revision,
    installed_versions,
    loadavg,
    log,
    machine_info,
    memory_kib,
    pinned,
    pip_install,
    run_json,
    start_server,
    stop_all,
    stop_process,
    summary,
    venv_python,
)

VENV = BENCH / ".venv"
SNIFFIO_DIR = WORK / "sniffio-site"
SPEC = ROOT / "specs" / "flyte-admin-executions.yaml"
OPENAPI = BENCH / "specs" / "flyte-admin-executions.openapi.json"
FIXTURES = BENCH / "fixtures"
TOOLS = ["fastmcp", "openapi-python-client", "fastapi-code-generator"]
VERSION_NAMES = [
    "fastapi", "starlette", "uvicorn", "httpx", "httpcore", "h11", "mcp", "mcp-types", "pydantic",
    "pydantic-core", "jsonschema", "anyio", "fastmcp", "fastmcp-slim", "httpx2",
    "openapi-python-client", "fastapi-code-generator", "datamodel-code-generator", "ruff", "black",
    "uvloop", "httptools",
]
PROJECT_VERSION_NAMES = ["naftiko-gen", "black", "jinja2", "pyyaml", "jsonschema"]

# Load points, CPU placement. CPU 1 runs the system under test alone; CPU 0 runs the load
# generator and the upstream stub (for the direct-to-stub runs, the stub has CPU 0 alone and
# the load generator moves to CPU 1).
SUT_CPU, AUX_CPU = 1, 0
PROJECT = "flytesnacks"
DOMAIN = "development"
NAME = "bench"
GET_PATH = f"/api/v1/executions/{PROJECT}/{DOMAIN}/{NAME}"
POST_PATH = "/api/v1/executions"


def config(quick: bool) -> dict[str, Any]:
    if quick:
        return {
            "rest_duration": 1.0, "rest_runs": 1, "rest_conc": [1, 8], "mcp_duration": 1.0, "mcp_runs": 1,
            "mcp_sessions": [1, 8], "small_procs": 2, "small_whole": 2, "synthetic_small": [10, 100],
            "synthetic_large": [], "footprint_reps": 2, "generator_reps": 1, "profile_runtime": True,
            "big_procs": 1, "runtime_reserve": 120, "profile_duration": 1.0,
            "sniffio_points": [("GET", 8)], "mcp_sniffio_sessions": [8],
        }
    return {
        "rest_duration": 3.0, "rest_runs": 3, "rest_conc": [1, 8, 64], "mcp_duration": 3.0, "mcp_runs": 3,
        "mcp_sessions": [1, 8], "small_procs": 5, "small_whole": 5, "synthetic_small": [10, 100],
        "synthetic_large": [1000, 5000], "footprint_reps": 3, "generator_reps": 3, "profile_runtime": True,
        "big_procs": 1, "runtime_reserve": 360, "profile_duration": 2.0,
        "sniffio_points": [("GET", 8)], "mcp_sniffio_sessions": [8],
    }


# =========================================================================== setup


def naftiko_command() -> list[str]:
    script = Path(sys.executable).parent / "naftiko-gen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "naftiko_codegen"]


def compile_generated(results: dict[str, Any]) -> dict[str, Any]:
    """Compile the Flyte capability with the working tree's compiler; describe the package."""
    out = WORK / "gen"
    completed = subprocess.run(
        [*naftiko_command(), "build", str(SPEC), "-o", str(out), "--force"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"naftiko-gen build failed:\n{completed.stdout}\n{completed.stderr}")
    pyproject = tomllib.loads((out / "pyproject.toml").read_text())
    package = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"][0]
    config_py = (out / package / "config.py").read_text()
    prefix = re.search(r'ENV_PREFIX = "([^"]+)"', config_py).group(1)  # type: ignore[union-attr]
    base = re.search(r'_base_url\(\s*env,\s*"([^"]+)"', config_py).group(1)  # type: ignore[union-attr]
    gen = {
        "dir": str(out),
        "package": package,
        "dependencies": pyproject["project"]["dependencies"],
        "prefix": prefix,
        "base_url_var": prefix + base,
    }
    results["generated"] = gen
    return gen


def setup_environment(results: dict[str, Any], gen: dict[str, Any]) -> None:
    env: dict[str, Any] = {"venv": str(VENV.relative_to(ROOT)), "tools": {}, "notes": []}
    results["environment"] = env
    deps = list(gen["dependencies"])
    stamp_text = json.dumps({"python": sys.version, "deps": sorted(deps), "tools": TOOLS})
    stamp = VENV / ".bench-stamp"
    python = venv_python(VENV)
    if python.exists() and stamp.exists() and stamp.read_text() == stamp_text:
        env["created"] = "reused (same requirements as its last creation)"
        saved = json.loads((VENV / ".bench-tools").read_text()) if (VENV / ".bench-tools").exists() else {}
        env["tools"] = saved
    else:
        t = time.perf_counter()
        create_venv(VENV)
        constraints = WORK / "constraints.txt"
        constraints.write_text("\n".join(deps) + "\n")
        ok, tail = pip_install(VENV, [*deps, *TOOLS], "pip-all", constraints=constraints)
        tools: dict[str, str] = {}
        if ok:
            tools = {tool: str(VENV) for tool in TOOLS}
        else:
            env["notes"].append(f"installing everything at once failed; installed one by one:\n{tail}")
            ok, tail = pip_install(VENV, deps, "pip-deps")
            if not ok:
                raise RuntimeError(f"cannot install the generated package's dependencies:\n{tail}")
            for tool in TOOLS:
                ok, tail = pip_install(VENV, [tool], f"pip-{tool}", constraints=constraints)
                if ok:
                    tools[tool] = str(VENV)
                    continue
                own = WORK / f"venv-{tool}"
                create_venv(own)
                ok, tail2 = pip_install(own, [tool], f"pip-{tool}-own")
                if ok:
                    tools[tool] = str(own)
                    env["notes"].append(f"{tool} conflicts with the generated package's dependencies; installed in its own venv {own.relative_to(ROOT)}:\n{tail}")
                else:
                    env["notes"].append(f"{tool} could not be installed:\n{tail2}")
        stamp.write_text(stamp_text)
        (VENV / ".bench-tools").write_text(json.dumps(tools))
        env["tools"] = tools
        env["created"] = f"created in {time.perf_counter() - t:.1f} s"
    env["versions"] = installed_versions(python, VERSION_NAMES)
    for tool, where in env["tools"].items():
        if where != str(VENV):
            env["versions"].update(installed_versions(venv_python(Path(where)), [tool, "mcp", "httpx2", "httpx"]))
    env["project_versions"] = installed_versions(Path(sys.executable), PROJECT_VERSION_NAMES)
    # sniffio in a separate directory, only put on PYTHONPATH for the "+ sniffio" variants.
    if not any(SNIFFIO_DIR.glob("sniffio-*.dist-info")):
        completed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--target", str(SNIFFIO_DIR), "sniffio"], capture_output=True, text=True, timeout=180)
        if completed.returncode != 0:
            env["notes"].append("sniffio could not be installed; the '+ sniffio' variants are skipped")
    found = sorted(SNIFFIO_DIR.glob("sniffio-*.dist-info"))
    env["sniffio"] = found[-1].name.removesuffix(".dist-info").replace("sniffio-", "") if found else None
    wrk, how = ensure_wrk()
    env["wrk"] = wrk
    env["wrk_note"] = how
    if wrk:
        completed = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
        env["wrk_version"] = (completed.stdout + completed.stderr).strip().splitlines()[0] if (completed.stdout + completed.stderr).strip() else "?"
    env["pinning"] = PIN


def warm_bytecode(results: dict[str, Any], gen: dict[str, Any]) -> None:
    """Import everything once so that the bytecode caches exist before anything is timed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([gen["dir"], str(BENCH)])}
    commands = [
        [str(venv_python(VENV)), "-c", f"import {gen['package']}.__main__, handwritten_proxy, mcp_load, upstream_stub"],
        [sys.executable, "-c", "import naftiko_codegen.cli, naftiko_codegen.pipeline, black"],
    ]
    fm = tool_python(results, "fastmcp")
    if fm is not None:
        commands.append([str(fm), "-c", "import fastmcp_server"])
    for command in commands:
        subprocess.run(command, env=env, timeout=300, capture_output=True, cwd=ROOT)
    results["environment"]["bytecode"] = "bytecode caches enabled under benchmarks/work/pycache (PYTHONPYCACHEPREFIX) and warmed before timing"


def tool_python(results: dict[str, Any], tool: str) -> Path | None:
    where = results["environment"]["tools"].get(tool)
    return venv_python(Path(where)) if where else None


# =========================================================================== build


def fresh_cache() -> str:
    """A new, empty directory for the compiler's format cache (NAFTIKO_GEN_CACHE_DIR): every build sample starts cold.

    ``mkdtemp`` rather than a counter: ``benchmarks/work`` outlives a run, and a counter would
    hand the next run the caches this one filled (the 18:30 run's "cold" builds were hits).
    """
    root = WORK / "fmtcache"
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(prefix="c", dir=root)


def write_warmup() -> Path:
    return synth.write_synthetic(3, WORK / "specs")


def build_inputs(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """The specs measured: name, path, kind, in-process processes/repeats, whole-process runs."""
    procs, whole = cfg["small_procs"], cfg["small_whole"]
    inputs = [
        {"name": "flyte-admin-executions.yaml (the Flyte capability)", "key": "flyte", "path": SPEC, "kind": "flyte", "procs": procs, "repeat": 3, "whole": whole, "compile": True},
        {"name": "flyte-capability.yaml (whole Flyte Admin API)", "key": "flyte-full", "path": BENCH / "specs" / "flyte-capability.yaml", "kind": "flyte", "procs": procs, "repeat": 2, "whole": whole, "compile": True, "gc": True},
    ]
    others = sorted((BENCH / "specs").glob("other-*.yaml"), key=lambda p: p.stat().st_size, reverse=True)
    big = cfg["big_procs"]
    inputs[1].update(procs=max(big, 3 if procs > 2 else procs), whole=max(big, 3 if whole > 2 else whole))
    for path in others:
        inputs.append({"name": path.name, "key": path.stem, "path": path, "kind": "other", "procs": big, "repeat": 1, "whole": big})
    for n in cfg["synthetic_small"]:
        path = synth.write_synthetic(n, WORK / "specs")
        inputs.append({"name": f"synthetic-{n}", "key": f"synthetic-{n}", "path": path, "kind": "synthetic", "ops": n, "procs": procs if n <= 10 else min(procs, 2), "repeat": 1, "whole": whole if n <= 10 else min(whole, 2), "gc": n >= 100})
    return inputs


def run_worker(spec: Path, warmup: Path, repeat: int, timeout: float, compile_too: bool = False, profile: bool = False, gc_experiment: bool = False, cache: str | None = None) -> dict[str, Any]:
    """A fresh process timing ``spec``; the format cache starts empty unless ``cache`` names one."""
    command = [sys.executable, str(BENCH / "build_worker.py"), str(spec), "--warmup", str(warmup), "--repeat", str(repeat)]
    if gc_experiment:
        command.append("--gc-experiment")
    if compile_too:
        command.append("--compile")
    if profile:
        command.append("--profile")
    return run_json(command, timeout=timeout, env={"NAFTIKO_GEN_CACHE_DIR": cache or fresh_cache()})


def whole_process(spec: Path, label: str, index: int, timeout: float, cache: str | None = None) -> dict[str, Any]:
    """``naftiko-gen build`` as a subprocess into a new directory; the format cache starts empty unless given."""
    out = WORK / "out" / f"{label}-{index}"
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "NAFTIKO_GEN_CACHE_DIR": cache or fresh_cache()}
    t = time.perf_counter()
    completed = subprocess.run([*naftiko_command(), "build", str(spec), "-o", str(out)], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    elapsed = time.perf_counter() - t
    shutil.rmtree(out, ignore_errors=True)
    return {"s": elapsed, "exit": completed.returncode}


def measure_build(entry: dict[str, Any], warmup: Path, budget: Budget, timeout: float | None = None) -> dict[str, Any]:
    """In-process (fresh processes, per phase) and whole-process timings of one spec."""
    runs = [worker_run(entry, warmup, budget, i, timeout) for i in range(entry["procs"])]
    wholes = []
    for i in range(entry["whole"]):
        if budget.remaining() < 60 and i > 0:
            break
        wholes.append(whole_process(entry["path"], entry["key"], i, timeout or max(30.0, budget.remaining() - 30)))
    return summarise_build(entry, runs, wholes)


def worker_run(entry: dict[str, Any], warmup: Path, budget: Budget, i: int, timeout: float | None = None) -> dict[str, Any]:
    limit = timeout or max(30.0, budget.remaining() - 30)
    return run_worker(entry["path"], warmup, entry["repeat"], limit, compile_too=entry.get("compile", False) and i == 0, gc_experiment=entry.get("gc", False) and i == 0)


def summarise_build(entry: dict[str, Any], runs: list[dict[str, Any]], wholes: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {"name": entry["name"], "kind": entry["kind"], "lines": entry["path"].read_text().count("\n"), "bytes": entry["path"].stat().st_size}
    first = runs[0]["reps"][0]
    result["status"] = first["status"]
    if first["status"] != "ok":
        result["rejected"] = {"errors": first.get("errors"), "phase": first.get("phase")}
    result["operations"] = first.get("operations", {})
    result["generated_lines"] = first.get("generated_lines")
    result["generated_files"] = first.get("files")
    result["changed_by_format"] = [first.get("changed_by_format"), first.get("python_files")]
    stale = [r.get("cache_entries_before_first_build") for r in runs if r.get("cache_entries_before_first_build")]
    if stale:
        # A first build that found cached modules is not a cold build: refuse to report it as one.
        raise RuntimeError(f"{entry['name']}: the format cache was not empty before the first build ({stale})")
    primed = [r["reps"][0] for r in runs]
    warm = [rep for r in runs for rep in r["reps"][1:]]
    result["in_process_primed"] = summary([rep["total"] for rep in primed])
    result["in_process_warm"] = summary([rep["total"] for rep in warm]) if warm else None
    result["compile_spec_s"] = [rep["compile_spec_s"] for r in runs for rep in r["reps"] if "compile_spec_s" in rep]
    phases: dict[str, Any] = {}
    for phase in ("load", "schema", "semantic", "lower", "render", "format"):
        values = [rep["times"][phase] for rep in primed if phase in rep["times"]]
        if values:
            phases[phase] = summary(values)
    result["phases_primed"] = phases
    gc_runs = [r["format_gc_enabled_s"] for r in runs if "format_gc_enabled_s" in r]
    if gc_runs:
        result["format_gc_enabled_s"] = gc_runs[0]
    result["import_s"] = summary([r["import_s"] for r in runs])
    result["warmup_s"] = summary([r["warmup_s"] for r in runs])
    result["whole_process"] = summary([w["s"] for w in wholes]) if wholes else None
    result["whole_exit"] = sorted({w["exit"] for w in wholes})
    return result


def section_build_small(results: dict[str, Any], cfg: dict[str, Any], budget: Budget) -> None:
    """Every small and medium spec, the samples taken round-robin so that background load spreads evenly."""
    warmup = write_warmup()
    builds = results.setdefault("build", {}).setdefault("specs", {})
    entries = build_inputs(cfg)
    runs: dict[str, list[dict[str, Any]]] = {e["key"]: [] for e in entries}
    wholes: dict[str, list[dict[str, Any]]] = {e["key"]: [] for e in entries}
    for i in range(max(e["procs"] for e in entries)):
        log(f"build: in-process round {i + 1}")
        for entry in entries:
            if i < entry["procs"]:
                runs[entry["key"]].append(worker_run(entry, warmup, budget, i))
    for i in range(max(e["whole"] for e in entries)):
        log(f"build: whole-process round {i + 1}")
        for entry in entries:
            if i < entry["whole"]:
                wholes[entry["key"]].append(whole_process(entry["path"], entry["key"], i, max(30.0, budget.remaining() - 30)))
    for entry in entries:
        builds[entry["key"]] = summarise_build(entry, runs[entry["key"]], wholes[entry["key"]])
        if entry["kind"] == "synthetic":
            builds[entry["key"]]["ops"] = entry["ops"]
    # Regeneration with the format cache filled by a previous build of the same spec.
    for entry in entries:
        if entry["kind"] != "flyte":
            continue
        log(f"build: {entry['name']} again, format cache warm")
        cache = fresh_cache()
        whole_process(entry["path"], entry["key"] + "-prime", 0, 120, cache=cache)
        hits = [whole_process(entry["path"], entry["key"] + "-hit", i, 120, cache=cache)["s"] for i in range(entry["whole"])]
        builds[entry["key"]]["whole_process_cache_hit"] = summary(hits)
    log("build: profile of flyte-capability.yaml")
    profiled = run_worker(BENCH / "specs" / "flyte-capability.yaml", warmup, 1, 300, profile=True)
    results["build"]["profile_flyte_full"] = profiled.get("profile")
    profiled = run_worker(SPEC, warmup, 1, 300, profile=True)
    results["build"]["profile_flyte"] = profiled.get("profile")


def section_build_large(results: dict[str, Any], cfg: dict[str, Any], budget: Budget) -> None:
    """Synthetic 1,000 and 5,000 operations, within what the budget leaves after the runtime sections.

    In-process builds first (1,000 then 5,000); with time to spare, the format-with-GC-off
    experiment on 1,000 and the whole-process builds.
    """
    warmup = write_warmup()
    reserve = cfg["runtime_reserve"]
    builds = results.setdefault("build", {}).setdefault("specs", {})
    done: list[tuple[int, dict[str, Any]]] = []
    for n in cfg["synthetic_large"]:
        path = synth.write_synthetic(n, WORK / "specs")
        key = f"synthetic-{n}"
        estimate = estimate_build(builds, n)
        left = budget.remaining() - reserve
        log(f"build: synthetic-{n} (estimated {estimate:.0f} s per build, {left:.0f} s left before the runtime sections)")
        if left < 0.9 * estimate:
            builds[key] = {"name": key, "kind": "synthetic", "ops": n, "status": "skipped", "estimate_s": estimate,
                           "skipped": f"not run: one build is estimated at ≈ {estimate:.0f} s (extrapolated from the sizes measured before it), more than the {max(left, 0):.0f} s the 15-minute bound leaves for it"}
            continue
        entry = {"name": key, "key": key, "path": path, "kind": "synthetic", "ops": n, "procs": 1, "repeat": 1, "whole": 0}
        try:
            builds[key] = measure_build(entry, warmup, budget, timeout=max(30.0, left + 90))
        except subprocess.TimeoutExpired:
            builds[key] = {"name": key, "kind": "synthetic", "ops": n, "status": "timeout", "skipped": f"did not finish within the {left + 90:.0f} s left in the budget (so more than {(left + 90) / n * 1000:.0f} ms per operation)"}
            continue
        builds[key].update(ops=n, estimate_s=estimate, whole_note="not run (time budget)")
        done.append((n, entry))
    for n, entry in done[:1]:  # the GC experiment on the smallest large size
        fmt = builds[entry["key"]]["phases_primed"]["format"]["median"]
        if budget.remaining() - reserve > 0.9 * fmt:
            log(f"build: synthetic-{n}, format with the GC on")
            data = run_worker(entry["path"], warmup, 0, max(30.0, budget.remaining() - reserve + 60), gc_experiment=True)
            builds[entry["key"]]["format_gc_enabled_s"] = data.get("format_gc_enabled_s")
    for n, entry in done:
        total = builds[entry["key"]]["in_process_primed"]["median"]
        if budget.remaining() - reserve > 1.3 * total:
            log(f"build: synthetic-{n}, whole process")
            w = whole_process(entry["path"], entry["key"], 0, max(30.0, budget.remaining() - reserve + 60))
            builds[entry["key"]]["whole_process"] = summary([w["s"]])
            builds[entry["key"]]["whole_exit"] = [w["exit"]]
            builds[entry["key"]].pop("whole_note", None)


def estimate_build(builds: dict[str, Any], n: int) -> float:
    """In-process seconds for ``n`` operations, extrapolated from the two largest synthetic sizes measured."""
    points = sorted((d["ops"], d["in_process_primed"]["median"]) for d in builds.values() if d.get("kind") == "synthetic" and d.get("status") == "ok")
    if not points:
        return 60.0
    if len(points) == 1:
        return points[0][1] / points[0][0] * n * 1.5
    (n1, t1), (n2, t2) = points[-2], points[-1]
    k = min(1.1, max(1.0, math.log(t2 / t1) / math.log(n2 / n1)))
    return t2 * (n / n2) ** k * 1.1


def section_generators(results: dict[str, Any], cfg: dict[str, Any], budget: Budget) -> None:
    """Whole-process times of openapi-python-client and fastapi-codegen on the OpenAPI."""
    gens: dict[str, Any] = {}
    results["generators"] = gens
    sanitized = WORK / "specs" / "flyte-admin-executions.openapi.short-titles.json"
    data = json.loads(OPENAPI.read_text())
    shortened = shorten_titles(data)
    sanitized.write_text(json.dumps(data))
    reps = cfg["generator_reps"]

    def timed(command: list[str], out: Path, venv: Path) -> dict[str, Any]:
        shutil.rmtree(out, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
        t = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, cwd=out.parent)
        elapsed = time.perf_counter() - t
        text = completed.stdout + completed.stderr
        lines = sum(p.read_text(errors="replace").count("\n") for p in out.rglob("*.py")) if out.exists() else 0
        files = sum(1 for _ in out.rglob("*.py")) if out.exists() else 0
        shutil.rmtree(out, ignore_errors=True)
        last = [line for line in text.strip().splitlines() if line.strip()]
        return {"s": elapsed, "exit": completed.returncode, "lines": lines, "files": files, "tail": last[-6:], "output": text[-4000:]}

    python = tool_python(results, "openapi-python-client")
    if python is None:
        gens["openapi-python-client"] = {"status": "not installed"}
    else:
        bindir = python.parent
        command = lambda spec, out: [str(bindir / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "none", "--output-path", str(out)]  # noqa: E731
        log("generators: openapi-python-client")
        verbatim = timed(command(OPENAPI, WORK / "opc" / "out"), WORK / "opc" / "out", bindir.parent)
        entry: dict[str, Any] = {"verbatim": {k: verbatim[k] for k in ("s", "exit", "tail")}}
        if verbatim["exit"] != 0 or verbatim["files"] == 0:
            err = next((line for line in reversed(verbatim["output"].splitlines()) if "Error" in line), verbatim["tail"][-1] if verbatim["tail"] else "")
            entry["verbatim"]["error"] = err.strip()
            entry["status"] = "crashed on the verbatim OpenAPI; timed on a copy with long schema titles removed"
            spec = sanitized
        else:
            entry["status"] = "ok"
            spec = OPENAPI
        runs = [timed(command(spec, WORK / "opc" / "out"), WORK / "opc" / "out", bindir.parent) for _ in range(reps)]
        entry["input"] = spec.name
        entry["titles_removed"] = shortened if spec == sanitized else 0
        entry["whole_process"] = summary([r["s"] for r in runs])
        entry["exit"] = sorted({r["exit"] for r in runs})
        entry["lines"] = runs[-1]["lines"]
        entry["files"] = runs[-1]["files"]
        entry["warnings"] = [line for line in runs[-1]["output"].splitlines() if line.startswith("WARNING") or "not be generated" in line][:8]
        gens["openapi-python-client"] = entry
    python = tool_python(results, "fastapi-code-generator")
    if python is None:
        gens["fastapi-code-generator"] = {"status": "not installed"}
    else:
        bindir = python.parent
        log("generators: fastapi-codegen")
        runs = [timed([str(bindir / "fastapi-codegen"), "-i", str(OPENAPI), "-o", str(WORK / "fcg" / "out")], WORK / "fcg" / "out", bindir.parent) for _ in range(reps)]
        ok = all(r["exit"] == 0 for r in runs)
        gens["fastapi-code-generator"] = {
            "status": "ok" if ok else f"failed: {runs[-1]['tail'][-1:]}",
            "input": OPENAPI.name,
            "whole_process": summary([r["s"] for r in runs]),
            "exit": sorted({r["exit"] for r in runs}),
            "lines": runs[-1]["lines"],
            "files": runs[-1]["files"],
        }


def shorten_titles(node: Any) -> int:
    """Remove ``title`` values longer than 40 characters (they become over-long file names)."""
    removed = 0
    if isinstance(node, dict):
        if isinstance(node.get("title"), str) and len(node["title"]) > 40 and isinstance(node.get("type", node.get("$ref", "")), str):
            del node["title"]
            removed += 1
        for value in node.values():
            removed += shorten_titles(value)
    elif isinstance(node, list):
        for value in node:
            removed += shorten_titles(value)
    return removed


# =========================================================================== runtime


def start_stub(results: dict[str, Any], cpu: int | None = AUX_CPU, port: int = 0) -> Server:
    python = venv_python(VENV)
    return start_server("upstream-stub", [str(python), str(BENCH / "upstream_stub.py"), "--port", str(port)], cpu=cpu)


def revive_stub(results: dict[str, Any], stub: Server, notes: list[str]) -> Server:
    """The stub again on the same port if its process has gone (something outside the benchmark may end it)."""
    if stub.process.poll() is None:
        return stub
    port = int(stub.url.rsplit(":", 1)[1])
    notes.append(f"the upstream stub exited (code {stub.process.returncode}) and was restarted on the same port; the affected point was repeated")
    return start_stub(results, port=port)


def generated_env(gen: dict[str, Any], upstream: str, sniffio: bool = False, **extra: str) -> dict[str, str]:
    env = {gen["base_url_var"]: upstream, gen["prefix"] + "REST_PORT": "0", gen["prefix"] + "MCP_PORT": "0"}
    env["PYTHONPATH"] = gen["dir"] + (os.pathsep + str(SNIFFIO_DIR) if sniffio else "")
    env.update(extra)
    return env


def start_generated(gen: dict[str, Any], mode: str, upstream: str, cpu: int | None = SUT_CPU, name: str | None = None, sniffio: bool = False) -> Server:
    command = [str(venv_python(VENV)), "-m", gen["package"], mode]
    return start_server(name or f"generated-{mode}" + ("-sniffio" if sniffio else ""), command, env=generated_env(gen, upstream, sniffio=sniffio), cpu=cpu)


def wrk_point(results: dict[str, Any], url: str, method: str, body: str, connections: int, duration: float, cpu: int) -> dict[str, Any]:
    wrk = results["environment"].get("wrk")
    if wrk:
        command = pinned(cpu, [wrk, "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s", "-s", str(BENCH / "wrk_report.lua"), url])
        env = {"BENCH_METHOD": method, "BENCH_BODY": body}
    else:
        command = pinned(cpu, [str(venv_python(VENV)), str(BENCH / "loadgen.py"), url, "--connections", str(connections), "--duration", str(duration), "--method", method, "--body", body])
        env = {}
    data = run_json(command, timeout=duration + 60, env=env)
    data["rps"] = data["requests"] / data["duration_s"] if data["duration_s"] else 0.0
    return data


def section_rest(results: dict[str, Any], cfg: dict[str, Any], gen: dict[str, Any], budget: Budget) -> None:
    rest: dict[str, Any] = {"points": {}, "servers": {}}
    results["rest"] = rest
    body = json.dumps(json.loads((FIXTURES / "create_request.json").read_text()), separators=(",", ":"))
    stub = start_stub(results)
    servers: dict[str, Server] = {}
    try:
        servers["generated"] = start_generated(gen, "rest", stub.url)
        servers["handwritten"] = start_server(
            "handwritten-proxy", [str(venv_python(VENV)), str(BENCH / "handwritten_proxy.py"), "--port", "0"],
            env={"UPSTREAM": stub.url}, cpu=SUT_CPU,
        )
        if results["environment"].get("sniffio"):
            servers["generated+sniffio"] = start_generated(gen, "rest", stub.url, sniffio=True)
            servers["handwritten+sniffio"] = start_server(
                "handwritten-proxy-sniffio", [str(venv_python(VENV)), str(BENCH / "handwritten_proxy.py"), "--port", "0"],
                env={"UPSTREAM": stub.url, "PYTHONPATH": str(SNIFFIO_DIR)}, cpu=SUT_CPU,
            )
        bases = {"direct": stub.url, **{name: server.url + "/v1" for name, server in servers.items()}}
        # Correctness first: the same bytes through each.
        check = {}
        for target, base in bases.items():
            with urllib.request.urlopen(base + GET_PATH, timeout=10) as response:  # noqa: S310 - 127.0.0.1
                check[target] = (response.status, len(response.read()))
        rest["check"] = check
        for target, server in servers.items():
            rest["servers"][target] = {"idle_kib": server.memory()}
        rest["servers"]["stub"] = {"idle_kib": stub.memory()}
        # Warm-up (not recorded): every target, both methods.
        for target, base in bases.items():
            for method, path in (("GET", GET_PATH), ("POST", POST_PATH)):
                if target.endswith("+sniffio") and not any(m == method for m, _ in cfg["sniffio_points"]):
                    continue
                wrk_point(results, base + path, method, body if method == "POST" else "", 8, 1.0, SUT_CPU if target == "direct" else AUX_CPU)
        for target, server in servers.items():
            rest["servers"][target]["after_warmup_kib"] = server.memory()
        duration = cfg["rest_duration"]
        for run in range(cfg["rest_runs"]):
            for method, path in (("GET", GET_PATH), ("POST", POST_PATH)):
                for conc in cfg["rest_conc"]:
                    for target, base in bases.items():
                        if target.endswith("+sniffio") and (method, conc) not in cfg["sniffio_points"]:
                            continue
                        if budget.remaining() < 60:
                            rest.setdefault("notes", []).append("stopped early: time budget")
                            raise TimeoutError("budget")
                        server = servers.get(target)
                        if target == "direct":
                            base = stub.url
                        cpu_before = server.cpu() if server else 0.0
                        stub_before = stub.cpu()
                        try:
                            data = wrk_point(results, base + path, method, body if method == "POST" else "", conc, duration, SUT_CPU if target == "direct" else AUX_CPU)
                        except RuntimeError as error:
                            notes = rest.setdefault("notes", [])
                            revived = revive_stub(results, stub, notes)
                            if revived is stub:
                                notes.append(f"{target} {method} c={conc} run {run + 1}: {str(error)[:300]}")
                                continue
                            stub = revived
                            if target == "direct":
                                base = stub.url
                            cpu_before = server.cpu() if server else 0.0
                            stub_before = stub.cpu()
                            data = wrk_point(results, base + path, method, body if method == "POST" else "", conc, duration, SUT_CPU if target == "direct" else AUX_CPU)
                        data["server_cpu_s"] = (server.cpu() - cpu_before) if server else None
                        data["stub_cpu_s"] = stub.cpu() - stub_before
                        data["run"] = run
                        rest["points"].setdefault(f"{method} c={conc}", {}).setdefault(target, []).append(data)
                log(f"rest: run {run + 1} {method} done (load {loadavg()})")
        for target, server in servers.items():
            rest["servers"][target]["after_load_kib"] = server.memory()
        rest["servers"]["stub"]["after_load_kib"] = stub.memory()
    except TimeoutError:
        pass
    finally:
        for server in servers.values():
            server.stop()
        stub.stop()


def mcp_point(url: str, tool: str, args: dict[str, Any], sessions: int, duration: float) -> dict[str, Any]:
    command = pinned(AUX_CPU, [str(venv_python(VENV)), str(BENCH / "mcp_load.py"), url, tool, json.dumps(args), "--sessions", str(sessions), "--duration", str(duration)])
    return run_json(command, timeout=duration + 120)


def start_fastmcp(results: dict[str, Any], upstream: str, cpu: int | None = SUT_CPU, prefix_cmd: list[str] | None = None, name: str = "fastmcp-from-openapi") -> Server:
    python = tool_python(results, "fastmcp")
    assert python is not None
    return start_server(name, [str(python), *(prefix_cmd or []), str(BENCH / "fastmcp_server.py"), "--port", "0"], env={"UPSTREAM": upstream}, cpu=cpu)


MCP_ARGS = {"id.project": PROJECT, "id.domain": DOMAIN, "id.name": NAME}
MCP_TOOLS = {"generated": "retrieve-workflow-execution", "fastmcp": "AdminService_GetExecution"}


def section_mcp(results: dict[str, Any], cfg: dict[str, Any], gen: dict[str, Any], budget: Budget) -> None:
    mcp: dict[str, Any] = {"points": {}, "servers": {}, "tools": MCP_TOOLS, "arguments": MCP_ARGS}
    results["mcp"] = mcp
    stub = start_stub(results)
    servers: dict[str, Server] = {}
    try:
        servers["generated"] = start_generated(gen, "mcp", stub.url)
        if results["environment"].get("sniffio") and cfg["mcp_sniffio_sessions"]:
            servers["generated+sniffio"] = start_generated(gen, "mcp", stub.url, sniffio=True)
        if tool_python(results, "fastmcp") is not None:
            try:
                servers["fastmcp"] = start_fastmcp(results, stub.url)
            except RuntimeError as error:
                mcp["fastmcp_error"] = str(error)[-1500:]
        else:
            mcp["fastmcp_error"] = "fastmcp is not installed"
        for target, server in servers.items():
            mcp["servers"][target] = {"idle_kib": server.memory()}
        # Smoke + warm-up: one short run per target (errors here are recorded, not fatal).
        for target, server in list(servers.items()):
            try:
                mcp_point(server.url + "/mcp", MCP_TOOLS[target.split("+")[0]], MCP_ARGS, 1, 0.5)
            except RuntimeError as error:
                mcp[f"{target}_error"] = str(error)[-1500:]
                server.stop()
                del servers[target]
        # Flyte Admin spells 64-bit integers as JSON strings; does each server pass such an answer on?
        for target, server in servers.items():
            if "+" in target:
                continue
            try:
                command = pinned(AUX_CPU, [str(venv_python(VENV)), str(BENCH / "mcp_load.py"), server.url + "/mcp", MCP_TOOLS[target], json.dumps({**MCP_ARGS, "id.name": "int64-as-string"}), "--check"])
                mcp.setdefault("int64_check", {})[target] = run_json(command, timeout=120)
            except (RuntimeError, subprocess.SubprocessError) as error:
                mcp.setdefault("int64_check", {})[target] = {"is_error": True, "text": str(error)[-400:]}
        for run in range(cfg["mcp_runs"]):
            for sessions in cfg["mcp_sessions"]:
                for target, server in servers.items():
                    if target.endswith("+sniffio") and sessions not in cfg["mcp_sniffio_sessions"]:
                        continue
                    if budget.remaining() < 60:
                        mcp.setdefault("notes", []).append("stopped early: time budget")
                        raise TimeoutError("budget")
                    before = server.cpu()
                    stub_before = stub.cpu()
                    data = mcp_point(server.url + "/mcp", MCP_TOOLS[target.split("+")[0]], MCP_ARGS, sessions, cfg["mcp_duration"])
                    data["server_cpu_s"] = server.cpu() - before
                    data["stub_cpu_s"] = stub.cpu() - stub_before
                    data["run"] = run
                    mcp["points"].setdefault(f"sessions={sessions}", {}).setdefault(target, []).append(data)
            log(f"mcp: run {run + 1} done (load {loadavg()})")
        for target, server in servers.items():
            mcp["servers"][target]["after_load_kib"] = server.memory()
    except TimeoutError:
        pass
    finally:
        for server in servers.values():
            server.stop()
        stub.stop()


# =========================================================================== footprint


def import_times(python: Path, module: str, env: dict[str, str], reps: int) -> dict[str, Any]:
    """Wall time of ``import module`` in a fresh interpreter, minus an empty interpreter's."""
    def wall(code: str) -> float:
        t = time.perf_counter()
        subprocess.run([str(python), "-c", code], check=True, env={**os.environ, **env}, timeout=120, capture_output=True)
        return time.perf_counter() - t

    bare = [wall("pass") for _ in range(reps)]
    full = [wall(f"import {module}") for _ in range(reps)]
    completed = subprocess.run([str(python), "-X", "importtime", "-c", f"import {module}"], env={**os.environ, **env}, timeout=120, capture_output=True, text=True)
    rows = []
    for line in completed.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
    top_level = [r for r in rows if r[1] == 1]
    own = sum(r[0] for r in top_level if r[2].split(".")[0] == module.split(".")[0])
    # The heaviest packages pulled in (cumulative, first level under the importing module).
    heavy: dict[str, int] = {}
    for cumulative, _depth, name in rows:
        root = name.split(".")[0]
        heavy[root] = max(heavy.get(root, 0), cumulative)
    heavy.pop(module.split(".")[0], None)
    return {
        "bare_interpreter_s": summary(bare),
        "interpreter_plus_import_s": summary(full),
        "import_s": summary([f - b for f, b in zip(sorted(full), sorted(bare))]),
        "importtime_cumulative_s": own / 1e6,
        "heaviest": sorted(((v / 1e6, k) for k, v in heavy.items()), reverse=True)[:8],
    }


def wait_first_request(port: int, kind: str, t0: float, process: subprocess.Popen[Any], timeout: float = 60) -> float:
    """Seconds from ``t0`` to the first successful request (REST GET, or MCP initialize)."""
    deadline = time.monotonic() + timeout
    init = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}).encode()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if kind == "rest":
                request = urllib.request.Request(f"http://127.0.0.1:{port}/v1{GET_PATH}")
            else:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=init, method="POST", headers={"content-type": "application/json", "accept": "application/json, text/event-stream"})
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - 127.0.0.1
                response.read()
                if response.status == 200:
                    return time.perf_counter() - t0
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.005)
    raise RuntimeError("no successful request before the deadline")


def startup_runs(name: str, command: list[str], env: dict[str, str], port_var: str | None, kind: str, reps: int) -> dict[str, Any]:
    times, rss = [], []
    for i in range(reps):
        port = free_port()
        run_env = {**os.environ, **env}
        if port_var:
            run_env[port_var] = str(port)
        else:
            command_i = [*command, "--port", str(port)]
        LOGS.mkdir(parents=True, exist_ok=True)
        with open(LOGS / f"startup-{name}-{i}.log", "wb") as handle:
            t0 = time.perf_counter()
            process = subprocess.Popen(command if port_var else command_i, env=run_env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)
        try:
            times.append(wait_first_request(port, kind, t0, process))
            time.sleep(0.3)
            rss.append(memory_kib(process.pid).get("VmRSS", 0) / 1024)
        finally:
            stop_process(process)
    return {"first_request_s": summary(times), "idle_rss_mib": summary(rss)}


def section_footprint(results: dict[str, Any], cfg: dict[str, Any], gen: dict[str, Any], budget: Budget) -> None:
    foot: dict[str, Any] = {}
    results["footprint"] = foot
    reps = cfg["footprint_reps"]
    python = venv_python(VENV)
    pkg = gen["package"]
    env = {"PYTHONPATH": gen["dir"]}
    log("footprint: import times")
    foot["import"] = {
        "generated (package + __main__: REST and MCP)": import_times(python, f"{pkg}.__main__", env, reps),
        "generated REST module only": import_times(python, f"{pkg}.rest", env, reps),
        "generated MCP module only": import_times(python, f"{pkg}.mcp_server", env, reps),
        "hand-written proxy": import_times(python, "handwritten_proxy", {"PYTHONPATH": str(BENCH)}, reps),
    }
    foot["dependency_import"] = {
        module: import_times(python, module, {}, reps)["import_s"]
        for module in ("httpx", "starlette.applications", "uvicorn", "fastapi", "jsonschema", "mcp_types", "mcp.server.lowlevel", "mcp")
    }
    fm = tool_python(results, "fastmcp")
    if fm is not None:
        foot["import"]["FastMCP server (fastmcp_server.py)"] = import_times(fm, "fastmcp_server", {"PYTHONPATH": str(BENCH)}, reps)
    log("footprint: start-up to first served request")
    stub = start_stub(results, cpu=None)
    try:
        genv = generated_env(gen, stub.url)
        foot["startup"] = {
            "generated REST (`rest`)": startup_runs("gen-rest", [str(python), "-m", pkg, "rest"], genv, gen["prefix"] + "REST_PORT", "rest", reps),
            "generated MCP (`mcp`)": startup_runs("gen-mcp", [str(python), "-m", pkg, "mcp"], genv, gen["prefix"] + "MCP_PORT", "mcp", reps),
            "generated REST + MCP (`all`), first REST request": startup_runs("gen-all", [str(python), "-m", pkg, "all"], genv, gen["prefix"] + "REST_PORT", "rest", reps),
            "hand-written proxy": startup_runs("handwritten", [str(python), str(BENCH / "handwritten_proxy.py")], {"UPSTREAM": stub.url}, None, "rest", reps),
        }
        if fm is not None:
            foot["startup"]["FastMCP.from_openapi"] = startup_runs("fastmcp", [str(fm), str(BENCH / "fastmcp_server.py")], {"UPSTREAM": stub.url}, None, "mcp", reps)
    finally:
        stub.stop()


# =========================================================================== runtime profiles


PROFILE_GROUPS = [
    ("import system (failed imports at run time)", ("<frozen importlib", "_distutils_hack")),
    ("generated package (ours)", ("/work/gen/",)),
    ("hand-written proxy", ("handwritten_proxy.py",)),
    ("fastmcp", ("/fastmcp/",)),
    ("mcp SDK", ("/mcp/", "/mcp_types/")),
    ("FastAPI", ("/fastapi/",)),
    ("Starlette", ("/starlette/",)),
    ("uvicorn + h11", ("/uvicorn/", "/h11/")),
    ("httpx + httpcore", ("/httpx/", "/httpcore/", "/httpx2/", "/httpcore2/")),
    ("pydantic", ("/pydantic/", "/pydantic_core/")),
    ("jsonschema", ("/jsonschema/", "/referencing/", "/jsonschema_specifications/", "/rpds")),
    ("anyio + sse-starlette", ("/anyio/", "/sse_starlette/")),
    ("asyncio + selectors + socket", ("/asyncio/", "selectors.py", "socket.py", "ssl.py")),
    ("logging", ("/logging/",)),
    ("json", ("/json/",)),
]


def profile_group(filename: str) -> str:
    for label, needles in PROFILE_GROUPS:
        if any(n in filename for n in needles):
            return label
    return "other (stdlib, interpreter)"


def summarize_profile(path: Path, requests: int) -> dict[str, Any]:
    import pstats

    stats = pstats.Stats(str(path))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    groups: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, callers) in raw.items():
        if filename == "~" and callers:
            if "select" in name or "epoll" in name:
                groups["idle wait (epoll)"] = groups.get("idle wait (epoll)", 0.0) + tottime
                continue
            edge_total = sum(edge[2] for edge in callers.values()) or 1.0
            for (caller_file, _l, _n), edge in callers.items():
                label = profile_group(caller_file)
                groups[label] = groups.get(label, 0.0) + tottime * edge[2] / edge_total
        else:
            label = profile_group(filename)
            groups[label] = groups.get(label, 0.0) + tottime
    groups.pop("idle wait (epoll)", None)
    total = sum(groups.values())
    probes = sum(v[1] for k, v in raw.items() if k[2] == "current_async_library" and k[0].endswith("httpcore/_synchronization.py"))
    return {
        "current_async_library_per_request": probes / requests if requests else 0,
        "requests": requests,
        "total_s": total,
        "per_request_us": {k: v / requests * 1e6 for k, v in sorted(groups.items(), key=lambda kv: kv[1], reverse=True)} if requests else {},
        "top": [
            {"function": f"{k[0].split('site-packages/')[-1].split('/benchmarks/')[-1]}:{k[1]}({k[2]})", "tottime_us_per_request": v[2] / requests * 1e6 if requests else 0, "cumtime_us_per_request": v[3] / requests * 1e6 if requests else 0}
            for k, v in sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)
            if not (k[0] == "~" and ("select" in k[2] or "epoll" in k[2]))
        ][:12],
    }


def section_runtime_profiles(results: dict[str, Any], cfg: dict[str, Any], gen: dict[str, Any], budget: Budget) -> None:
    """cProfile each server under the same load (start-up excluded), to show where a request's time goes."""
    profiles: dict[str, Any] = {}
    results["runtime_profiles"] = profiles
    body = json.dumps(json.loads((FIXTURES / "create_request.json").read_text()), separators=(",", ":"))
    stub = start_stub(results)
    profile_dir = WORK / "profiles"
    profile_dir.mkdir(parents=True, exist_ok=True)
    python = str(venv_python(VENV))
    wrapper = str(BENCH / "profiled.py")
    targets: list[tuple[str, str, list[str], dict[str, str]]] = [
        ("REST generated", python, ["-m", gen["package"], "rest"], generated_env(gen, stub.url)),
        ("REST hand-written", python, [str(BENCH / "handwritten_proxy.py"), "--port", "0"], {"UPSTREAM": stub.url}),
        ("MCP generated", python, ["-m", gen["package"], "mcp"], generated_env(gen, stub.url)),
    ]
    fm = tool_python(results, "fastmcp")
    if fm is not None:
        targets.append(("MCP FastMCP.from_openapi", str(fm), [str(BENCH / "fastmcp_server.py"), "--port", "0"], {"UPSTREAM": stub.url}))
    try:
        for label, interpreter, command, env in targets:
            if budget.remaining() < 25:
                profiles.setdefault("_notes", []).append(f"{label}: skipped (time budget)")
                continue
            out = profile_dir / (re.sub(r"[^A-Za-z]+", "-", label) + ".prof")
            out.unlink(missing_ok=True)
            try:
                server = start_server("prof-" + re.sub(r"[^A-Za-z]+", "-", label), [interpreter, wrapper, str(out), *command], env=env, cpu=SUT_CPU)
            except RuntimeError as error:
                profiles[label] = {"error": str(error)[-800:]}
                continue
            try:
                if label.startswith("REST"):
                    get_url, post_url = server.url + "/v1" + GET_PATH, server.url + "/v1" + POST_PATH
                    wrk_point(results, get_url, "GET", "", 8, 1.0, AUX_CPU)  # warm-up, not profiled
                    server.process.send_signal(signal.SIGUSR1)
                    data = wrk_point(results, get_url, "GET", "", 8, cfg["profile_duration"], AUX_CPU)
                    data2 = wrk_point(results, post_url, "POST", body, 8, cfg["profile_duration"], AUX_CPU)
                    requests = data["requests"] + data2["requests"]
                else:
                    tool = MCP_TOOLS["generated" if "generated" in label else "fastmcp"]
                    mcp_point(server.url + "/mcp", tool, MCP_ARGS, 1, 0.5)  # warm-up, not profiled
                    server.process.send_signal(signal.SIGUSR1)
                    data = mcp_point(server.url + "/mcp", tool, MCP_ARGS, 8, 2 * cfg["profile_duration"])
                    requests = data["requests"]
                server.process.send_signal(signal.SIGUSR2)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and not (out.exists() and out.stat().st_size > 0):
                    time.sleep(0.1)
                time.sleep(0.3)
            except (RuntimeError, subprocess.SubprocessError) as error:
                profiles[label] = {"error": str(error)[-800:]}
                continue
            finally:
                server.stop(timeout=20)
            profiles[label] = summarize_profile(out, requests) if out.exists() else {"error": "no profile written"}
        profiles["_sniffio"] = sniffio_probe()
    finally:
        stub.stop()


def sniffio_probe() -> dict[str, Any]:
    """Cost of httpcore's per-request ``import sniffio`` when sniffio is not installed."""
    code = (
        "import asyncio, json, sys, time\n"
        "import httpcore._synchronization as s\n"
        "try:\n    import sniffio; present = True\nexcept ImportError:\n    present = False\n"
        "async def main():\n"
        "    n = 3000\n    t = time.perf_counter()\n"
        "    for _ in range(n): s.current_async_library()\n"
        "    return (time.perf_counter() - t) / n\n"
        "print('BENCH_JSON ' + json.dumps({'sniffio_installed': present, 'us_per_call': asyncio.run(main()) * 1e6, 'sys_path_entries': len(sys.path)}))\n"
    )
    out: dict[str, Any] = {}
    try:
        out = run_json(pinned(SUT_CPU, [str(venv_python(VENV)), "-c", code]), timeout=60)
        if SNIFFIO_DIR.exists():
            with_it = run_json(pinned(SUT_CPU, [str(venv_python(VENV)), "-c", code]), timeout=60, env={"PYTHONPATH": str(SNIFFIO_DIR)})
            out["us_per_call_with_sniffio"] = with_it["us_per_call"]
    except (RuntimeError, subprocess.SubprocessError) as error:
        out["error"] = str(error)[-300:]
    return out


# =========================================================================== main


def main() -> int:
    parser = argparse.ArgumentParser(description="make bench")
    parser.add_argument("--quick", action="store_true", help="short smoke run (seconds, not minutes); results are not meaningful")
    parser.add_argument("--budget", type=float, default=810, help="wall-clock budget in seconds (default 810; `make bench` may first create the project venv)")
    parser.add_argument("--sections", default="build,generators,rest,mcp,footprint,profiles,large", help="comma-separated subset to run")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    cfg = config(args.quick)
    sections = set(args.sections.split(","))
    # Bytecode caches on, kept under benchmarks/work (this sandbox sets PYTHONDONTWRITEBYTECODE=1,
    # which would recompile every module on every start and inflate import and start-up times).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    # The compiler caches black's output by content (NAFTIKO_GEN_CACHE_DIR): every build sample
    # gets its own empty cache (see fresh_cache); nothing here reads or fills ~/.cache.
    os.environ["NAFTIKO_GEN_CACHE_DIR"] = str(WORK / "fmtcache" / "default")
    budget = Budget(args.budget)
    WORK.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(WORK / "fmtcache", ignore_errors=True)
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: dict[str, Any] = {
        "machine": machine_info(),
        "revision": git_revision(),
        "config": cfg,
        "quick": args.quick,
        "pinning": PIN,
        "load": {"start": loadavg()},
        "errors": {},
        "section_s": {},
    }
    log(f"machine: {results['machine']['cpu_model']}, {results['machine']['cores']} cores; load {loadavg()}")
    gen: dict[str, Any] | None = None

    def section(name: str, fn: Any, *extra: Any) -> None:
        if name not in sections:
            return
        if budget.remaining() < 45:
            results["errors"][name] = f"skipped: time budget exhausted ({budget.elapsed():.0f} s elapsed)"
            return
        log(f"== {name} (load {loadavg()}, {budget.remaining():.0f} s left)")
        results["load"][name] = loadavg()
        t = time.perf_counter()
        try:
            fn(results, cfg, *extra, budget)
        except Exception as error:  # a failing section is reported, the others still run
            results["errors"][name] = "".join(traceback.format_exception(error))[-3000:]
            log(f"{name} failed: {error}")
        results["section_s"][name] = time.perf_counter() - t

    try:
        t = time.perf_counter()
        log("== setup: compile the Flyte capability, create benchmarks/.venv, wrk")
        gen = compile_generated(results)
        setup_environment(results, gen)
        warm_bytecode(results, gen)
        results["section_s"]["setup"] = time.perf_counter() - t
        log(f"setup done in {results['section_s']['setup']:.1f} s; wrk: {results['environment']['wrk_note']}")
        section("build", section_build_small)
        section("large", section_build_large)
        section("generators", section_generators)
        section("rest", section_rest, gen)
        section("mcp", section_mcp, gen)
        section("footprint", section_footprint, gen)
        section("profiles", section_runtime_profiles, gen)
    except Exception as error:
        results["errors"]["setup"] = "".join(traceback.format_exception(error))[-3000:]
        log(f"setup failed: {error}")
    finally:
        stop_all()
        results["load"]["end"] = loadavg()
        results["total_s"] = budget.elapsed()
        (WORK / "results.json").write_text(json.dumps(results, indent=1, default=str))
        args.output.write_text(report.render(results))
        log(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} in {results['total_s']:.0f} s total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
