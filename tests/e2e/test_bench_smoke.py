"""Smoke test of ``benchmarks/``: each section runs once at its smallest and records sound results.

``benchmarks/run.py --smoke`` runs every section with the least work that still goes through
all of its code (sub-second loads, one sample each, the Flyte capability and tiny synthetic
specs), installing nothing: the project's interpreter runs the servers, the Python load
generator stands in for wrk. Figures are never checked (speed is reported by ``make bench``,
not asserted); what is checked is that each section ran, filled in its results with the shape
the report relies on, that ``results.json`` reads back into the typed results, and that
``report.py`` renders the same ``RESULTS.md`` from it. A section whose tool the project's
environment lacks (the other generators, FastMCP) is skipped with the reason.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
RUN_TIMEOUT = 280

pytestmark = pytest.mark.e2e


@dataclass
class Smoke:
    """One ``run.py --smoke`` run: its typed results, its files, and the benchmark modules."""

    results: Any
    work: Path
    markdown: str
    log: str
    modules: dict[str, ModuleType]

    def section(self, name: str) -> Any:
        """A section's results; fails with the section's error if it did not run cleanly."""
        assert (
            name not in self.results.errors
        ), f"section {name} failed:\n{self.results.errors[name]}"
        assert name in self.results.sections, f"section {name} did not run:\n{self.log[-3000:]}"
        return self.results.sections[name]

    def skip_without(self, tool: str) -> None:
        """Skip the test, with the set-up's own words, when ``tool`` is not installed."""
        if tool not in self.results.environment.tools:
            notes = [n for n in self.results.environment.notes if tool in n]
            pytest.skip(notes[0] if notes else f"{tool} is not installed")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Smoke]:
    """Run every section once, in a work directory of its own."""
    work = tmp_path_factory.mktemp("bench-smoke")
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--smoke",
            "--budget",
            "240",
            "--output",
            str(work / "RESULTS.md"),
        ],
        env={**os.environ, "NAFTIKO_BENCH_WORK": str(work)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    sys.path.insert(0, str(BENCH))
    try:
        modules = {
            name: importlib.import_module(name) for name in ("results", "registry", "report_format")
        }
        results = modules["results"].load(
            work / "results.json", modules["registry"].section_types()
        )
        yield Smoke(results, work, (work / "RESULTS.md").read_text(), completed.stderr, modules)
    finally:
        sys.path.remove(str(BENCH))


def assert_summary(summary: Any, n: int) -> None:
    """A summary of ``n`` samples, each a positive figure."""
    assert summary is not None and summary.n == n, summary
    assert len(summary.values) == n and all(v > 0 for v in summary.values), summary
    assert summary.min <= summary.median <= summary.max


def assert_runs(runs: list[Any], server_measured: bool = True) -> None:
    """Load runs that served requests without errors (and measured the server's CPU)."""
    assert runs, "no run recorded"
    for run in runs:
        assert run.requests > 0 and run.errors == 0 and run.duration_s > 0 and run.rps > 0, run
        assert run.p50_us <= run.p99_us, run
        assert run.stub_cpu_s is not None and run.stub_cpu_s >= 0, run
        assert (run.server_cpu_s is not None) == server_measured, run


def test_setup_records_the_environment(smoke: Smoke) -> None:
    assert "setup" not in smoke.results.errors, smoke.results.errors.get("setup")
    generated = smoke.results.generated
    assert generated is not None and Path(generated.dir, generated.package, "__main__.py").is_file()
    env = smoke.results.environment
    assert Path(env.python).is_file() and env.versions.get("fastapi") and env.versions.get("mcp")
    assert env.project_versions.get("naftiko-gen")
    assert smoke.results.smoke and set(smoke.results.section_s) >= {
        "setup",
        *smoke.results.sections,
    }


def test_build(smoke: Smoke) -> None:
    build = smoke.section("build")
    flyte, synthetic = build.specs["flyte"], build.specs["synthetic-10"]
    for spec in (flyte, synthetic):
        assert spec.status == "ok" and spec.rejected is None
        assert set(spec.operations) == {"consumed", "rest", "mcp"} and all(spec.operations.values())
        assert spec.generated_lines > 0 and spec.generated_files > 0
        assert_summary(spec.in_process_primed, 1)
        assert set(spec.phases_primed) == {
            "load",
            "schema",
            "semantic",
            "lower",
            "render",
            "format",
        }
        for phase in spec.phases_primed.values():
            assert_summary(phase, 1)
        assert_summary(spec.whole_process, 1)
        assert spec.whole_exit == [0]
        assert_summary(spec.import_s, 1)
    assert synthetic.ops == 10 and synthetic.operations["consumed"] == 10
    assert_summary(flyte.in_process_warm, 2)  # three builds in the process: the first primed
    assert_summary(flyte.whole_process_cache_hit, 1)
    assert flyte.compile_spec_s and all(v > 0 for v in flyte.compile_spec_s)
    changed, modules = flyte.changed_by_format
    assert modules and 0 <= changed <= modules
    profile = build.profile_flyte
    assert profile is not None and profile.total_s > 0 and profile.by_group and profile.top_tottime


def test_large(smoke: Smoke) -> None:
    spec = smoke.section("large").specs["synthetic-20"]
    assert spec.status == "ok" and spec.ops == 20 and spec.estimate_s > 0, spec.skipped
    assert_summary(spec.in_process_primed, 1)
    assert spec.format_gc_enabled_s is not None and spec.format_gc_enabled_s > 0
    assert_summary(spec.whole_process, 1)
    assert spec.whole_exit == [0] and spec.whole_note == ""


@pytest.mark.parametrize("tool", ["openapi-python-client", "fastapi-code-generator"])
def test_generators(smoke: Smoke, tool: str) -> None:
    generators = smoke.section("generators").generators
    smoke.skip_without(tool)
    run = generators[tool]
    assert_summary(run.whole_process, 1)
    assert run.exit == [0] and run.files > 0 and run.lines > 0, run.status


def test_generators_not_installed_are_recorded(smoke: Smoke) -> None:
    generators = smoke.section("generators").generators
    assert set(generators) == {"openapi-python-client", "fastapi-code-generator"}
    for tool, run in generators.items():
        assert (run.status == "not installed") == (tool not in smoke.results.environment.tools)


def test_rest(smoke: Smoke) -> None:
    rest = smoke.section("rest")
    targets = {"direct", "generated", "handwritten", "handwritten-best"}
    variants = (
        {"generated+sniffio", "handwritten+sniffio"} if smoke.results.environment.sniffio else set()
    )
    assert set(rest.points) == {"GET c=1", "POST c=1"}
    assert set(rest.points["GET c=1"]) == targets | variants
    assert set(rest.points["POST c=1"]) == targets
    for point in rest.points.values():
        for target, runs in point.items():
            assert_runs(runs, server_measured=target != "direct")
    statuses = set(rest.check.values())
    assert (
        len(statuses) == 1 and next(iter(statuses))[0] == 200
    ), rest.check  # the same bytes through each
    assert set(rest.servers) == targets - {"direct"} | variants | {"stub"}
    for memory in rest.servers.values():
        assert memory.idle_kib["VmRSS"] > 0 and memory.after_load_kib["VmHWM"] > 0
    assert rest.notes == []


def test_soak(smoke: Smoke) -> None:
    soak = smoke.section("soak")
    assert set(soak.runs) == {"generated"} and soak.notes == []
    run = soak.runs["generated"]
    assert run.connections == 64 and run.duration_s == smoke.results.config.soak_duration
    assert_runs([run.load])
    assert run.start_kib > 0 and run.end_kib > 0 and run.peak_kib >= run.max_kib() > 0
    times = [t for t, _ in run.rss_kib]
    assert times == sorted(times) and times[0] < run.duration_s / 2 <= times[-1], run.rss_kib
    flatness = run.flatness()  # enough samples in each half for a verdict, whichever it is
    assert flatness is not None and flatness.allowed_kib >= 2048, run.rss_kib
    assert "64 connections for 1 s" in smoke.markdown


def test_mcp(smoke: Smoke) -> None:
    mcp = smoke.section("mcp")
    runs = mcp.points["sessions=1"]["generated"]
    assert_runs(runs)
    assert all(run.client_cpu_s is not None and run.client_cpu_s > 0 for run in runs)
    check = mcp.int64_check["generated"]  # the generated server passes int64-as-string answers on
    assert not check.is_error and check.structured, check.text
    assert "generated" not in mcp.errors and mcp.servers["generated"].after_load_kib


def test_mcp_against_fastmcp(smoke: Smoke) -> None:
    mcp = smoke.section("mcp")
    smoke.skip_without("fastmcp")
    assert_runs(mcp.points["sessions=1"]["fastmcp"])
    assert "fastmcp" in mcp.int64_check


def test_footprint(smoke: Smoke) -> None:
    foot = smoke.section("footprint")
    servers = {
        "generated (package + __main__: REST and MCP)",
        "generated REST module only",
        "generated MCP module only",
        "hand-written proxy",
    }
    assert servers <= set(foot.imports)
    for imported in foot.imports.values():
        assert_summary(imported.bare_interpreter_s, 1)
        assert imported.import_s.n == 1 and imported.importtime_cumulative_s > 0
    assert any(name == "fastapi" for _, name in foot.imports["generated REST module only"].heaviest)
    assert set(foot.dependency_import) == {"httpx"}
    assert len(foot.startup) == 4 or "fastmcp" in smoke.results.environment.tools
    for started in foot.startup.values():
        assert_summary(started.first_request_s, 1)
        assert_summary(started.idle_rss_mib, 1)


def test_profiles(smoke: Smoke) -> None:
    profiles = smoke.section("profiles")
    assert profiles.notes == []
    for label in ("REST generated", "REST hand-written", "MCP generated"):
        profile = profiles.profiles[label]
        assert profile.error is None and profile.requests > 0, profile.error
        assert profile.per_request_us and profile.total_s > 0 and profile.top
    assert profiles.sniffio is not None and profiles.sniffio.error is None
    assert profiles.sniffio.us_per_call > 0


def test_batch(smoke: Smoke) -> None:
    batch = smoke.section("batch")
    [point] = batch.points
    assert point.specs == 2 and len(point.batch) == len(point.separate) == 1
    assert all(run.exit == 0 and run.wall_s > 0 for run in point.batch + point.separate)
    assert "## 5. Batch build" in smoke.markdown
    assert "batch build of 100 capabilities" in smoke.markdown


def test_results_json_reads_back_unchanged(smoke: Smoke) -> None:
    saved = json.loads((smoke.work / "results.json").read_text())
    assert smoke.modules["results"].to_json(smoke.results) == saved


def test_report_renders_again_from_results_json(smoke: Smoke) -> None:
    again = smoke.work / "again.md"
    subprocess.run(
        [sys.executable, str(BENCH / "report.py"), str(smoke.work / "results.json"), str(again)],
        check=True,
        timeout=60,
    )
    assert again.read_text() == smoke.markdown
    headings = [line for line in smoke.markdown.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Targets",
        "## Machine and versions",
        "## How it was measured",
        "## 1. Build",
        "## 2. REST runtime",
        "## 3. MCP runtime",
        "## 4. Footprint",
        "## 5. Batch build: one process for many capabilities",
        "## 6. Soak: the REST server under steady load",
        "## Where the time goes, and what is ours",
        "## Problems met, and notes",
    ]
    assert "Smoke run (`--smoke`)" in smoke.markdown and "Not measured" not in smoke.markdown
