"""The batch benchmark section runs and records well-formed results (never figures)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_batch  # noqa: E402


def test_batch_section_smoke() -> None:
    deadline = time.monotonic() + 240
    results = bench_batch.run([2], 1, check=True, remaining=lambda: deadline - time.monotonic())
    [point] = results.points
    assert point.specs == 2 and len(point.batch) == len(point.separate) == 1
    assert all(run.exit == 0 and run.wall_s > 0 for run in point.batch + point.separate)
    assert results.check is not None and results.check.batch[0].exit == 0
    again = bench_batch.from_json(json.loads(json.dumps(bench_batch.to_json(results))))
    assert again == results
    chapter = bench_batch.chapter(again, "5. ")
    assert chapter.startswith("## 5. Batch build") and "| 2 |" in chapter
    assert bench_batch.target_row(again)[2] == "(only 2 measured)"
    assert bench_batch.chapter(None).endswith("Not measured.\n")


def test_the_specs_are_a_hundred_real_capabilities() -> None:
    specs = sorted((BENCH / "specs" / "batch").glob("*.yaml"))
    assert len(specs) == 100
    readme = (BENCH / "specs" / "batch" / "README.md").read_text()
    assert all(f"`{spec.name}`" in readme for spec in specs)
