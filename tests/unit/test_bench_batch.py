"""The batch benchmark section runs and records well-formed results (never figures)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_batch  # noqa: E402


def test_the_chapter_and_target_from_a_small_run() -> None:
    point = bench_batch.Point(2, [bench_batch.Run(1.0, 1.0)], [bench_batch.Run(3.0, 2.0)])
    results = bench_batch.BatchResults(cpus=2, points=[point])
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
