"""Section ``generators``: whole-process times of openapi-python-client and fastapi-code-generator.

Both run on ``specs/flyte-admin-executions.openapi.json``, the OpenAPI 3 equivalent of the
Flyte capability. openapi-python-client crashes on the verbatim document (schema titles
become over-long file names); it is then timed on a copy without the long titles. Their
table is part of the ``## 1. Build`` chapter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import BENCH, WORK, Summary, log, summary
from build_measure import all_build_specs
from report_format import ratio, sec
from results import Results
from section import Context, Section

OPENAPI = BENCH / "specs" / "flyte-admin-executions.openapi.json"


@dataclass
class VerbatimRun:
    """openapi-python-client on the verbatim OpenAPI document."""

    s: float = 0.0
    exit: int = 0
    tail: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class GeneratorRun:
    """One generator's figures (``status`` says whether it ran, and on what)."""

    status: str = ""
    input: str = ""
    verbatim: VerbatimRun | None = None
    titles_removed: int = 0
    whole_process: Summary | None = None
    exit: list[int] = field(default_factory=list)
    lines: int | None = None
    files: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class GeneratorsResults:
    """Each generator compared with naftiko-gen."""

    generators: dict[str, GeneratorRun] = field(default_factory=dict)


@dataclass
class Generation:
    """One timed run of a generator: time, exit code, the Python it wrote, the end of its output."""

    s: float
    exit: int
    lines: int
    files: int
    tail: list[str]
    output: str


def timed(command: list[str], out: Path, venv: Path) -> Generation:
    """Run a generator writing into ``out`` (emptied before and after), its venv's bin on PATH."""
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    t = time.perf_counter()
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=180, env=env, cwd=out.parent
    )
    elapsed = time.perf_counter() - t
    text = completed.stdout + completed.stderr
    lines = (
        sum(p.read_text(errors="replace").count("\n") for p in out.rglob("*.py"))
        if out.exists()
        else 0
    )
    files = sum(1 for _ in out.rglob("*.py")) if out.exists() else 0
    shutil.rmtree(out, ignore_errors=True)
    last = [line for line in text.strip().splitlines() if line.strip()]
    return Generation(elapsed, completed.returncode, lines, files, last[-6:], text[-4000:])


def shorten_titles(node: Any) -> int:
    """Remove ``title`` values longer than 40 characters (they become over-long file names)."""
    removed = 0
    if isinstance(node, dict):
        if (
            isinstance(node.get("title"), str)
            and len(node["title"]) > 40
            and isinstance(node.get("type", node.get("$ref", "")), str)
        ):
            del node["title"]
            removed += 1
        for value in node.values():
            removed += shorten_titles(value)
    elif isinstance(node, list):
        for value in node:
            removed += shorten_titles(value)
    return removed


def run(ctx: Context, out: GeneratorsResults) -> None:
    """Time each installed generator ``generator_reps`` times."""
    reps = ctx.cfg.generator_reps
    python = ctx.env.tool_python("openapi-python-client")
    out.generators["openapi-python-client"] = (
        GeneratorRun(status="not installed")
        if python is None
        else openapi_python_client(python, reps)
    )
    python = ctx.env.tool_python("fastapi-code-generator")
    if python is None:
        out.generators["fastapi-code-generator"] = GeneratorRun(status="not installed")
        return
    log("generators: fastapi-codegen")
    target = WORK / "fcg" / "out"
    runs = [
        timed(
            [str(python.parent / "fastapi-codegen"), "-i", str(OPENAPI), "-o", str(target)],
            target,
            python.parent.parent,
        )
        for _ in range(reps)
    ]
    out.generators["fastapi-code-generator"] = GeneratorRun(
        status="ok" if all(r.exit == 0 for r in runs) else f"failed: {runs[-1].tail[-1:]}",
        input=OPENAPI.name,
        whole_process=summary([r.s for r in runs]),
        exit=sorted({r.exit for r in runs}),
        lines=runs[-1].lines,
        files=runs[-1].files,
    )


def openapi_python_client(python: Path, reps: int) -> GeneratorRun:
    """openapi-python-client on the verbatim OpenAPI, else on the copy with long titles removed."""
    sanitized = WORK / "specs" / "flyte-admin-executions.openapi.short-titles.json"
    sanitized.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(OPENAPI.read_text())
    shortened = shorten_titles(data)
    sanitized.write_text(json.dumps(data))
    target = WORK / "opc" / "out"

    def generate(spec: Path) -> Generation:
        command = [
            str(python.parent / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--output-path",
            str(target),
        ]
        return timed(command, target, python.parent.parent)

    log("generators: openapi-python-client")
    verbatim = generate(OPENAPI)
    entry = GeneratorRun(verbatim=VerbatimRun(verbatim.s, verbatim.exit, verbatim.tail))
    spec = OPENAPI
    if verbatim.exit != 0 or verbatim.files == 0:
        err = next(
            (line for line in reversed(verbatim.output.splitlines()) if "Error" in line),
            verbatim.tail[-1] if verbatim.tail else "",
        )
        entry.verbatim = VerbatimRun(verbatim.s, verbatim.exit, verbatim.tail, err.strip())
        entry.status = (
            "crashed on the verbatim OpenAPI; timed on a copy with long schema titles removed"
        )
        spec = sanitized
    else:
        entry.status = "ok"
    runs = [generate(spec) for _ in range(reps)]
    entry.input = spec.name
    entry.titles_removed = shortened if spec == sanitized else 0
    entry.whole_process = summary([r.s for r in runs])
    entry.exit = sorted({r.exit for r in runs})
    entry.lines = runs[-1].lines
    entry.files = runs[-1].files
    entry.warnings = [
        line
        for line in runs[-1].output.splitlines()
        if line.startswith("WARNING") or "not be generated" in line
    ][:8]
    return entry


# --------------------------------------------------------------------------- report


def target(results: Results) -> list[str]:
    """The target row: naftiko-gen builds in ≤ 0.5 × the other generators' time."""
    section = GENERATORS.result(results)
    flyte = all_build_specs(results).get("flyte")
    ours = flyte.whole_process.median if flyte and flyte.whole_process else None
    parts, verdicts = [], []
    for name, data in (section.generators if section else {}).items():
        other = data.whole_process.median if data.whole_process else None
        if ours and other:
            r = ours / other
            parts.append(f"vs {name}: {ratio(r)}")
            verdicts.append(r <= 0.5)
    if not parts:
        return ["build ≤ 0.5 × the other generators", "not measured (see Problems)", "n/a"]
    return [
        "build ≤ 0.5 × the other generators (whole process, equivalent input)",
        f"naftiko-gen {sec(ours)}; " + "; ".join(parts),
        "PASS" if all(verdicts) else "MISS",
    ]


def problems(results: Results) -> list[str]:
    """Generators that did not run cleanly, and what they said."""
    section = GENERATORS.result(results)
    out = []
    for name, d in (section.generators if section else {}).items():
        if d.status != "ok":
            error = d.verbatim.error if d.verbatim else ""
            out.append(f"- {name}: {d.status}" + (f" — `{error[:300]}`" if error else ""))
        out += [f"  - {name} said: `{w[:200]}`" for w in d.warnings[:4]]
    return out


GENERATORS = Section(
    "generators",
    "whole-process time of openapi-python-client and fastapi-code-generator",
    GeneratorsResults,
    run,
)
