"""The sections of ``make bench`` in the order they run; the chapters of ``RESULTS.md`` in order.

To add a section, write ``bench_<name>.py`` (its results dataclass, ``run(ctx, result)``, a
``<NAME> = Section(...)``, and usually ``chapter(results)``), then list the section in
``SECTIONS`` and its chapter in ``CHAPTERS``; see ``benchmarks/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bench_batch
import bench_footprint
import bench_mcp
import bench_profiles
import bench_rest
import bench_soak
import report_build
from bench_build import BUILD
from bench_generators import GENERATORS
from bench_large import LARGE
from results import Results
from section import Section

SECTIONS: list[Section[Any]] = [
    BUILD,
    LARGE,
    GENERATORS,
    bench_rest.REST,
    bench_soak.SOAK,
    bench_mcp.MCP,
    bench_footprint.FOOTPRINT,
    bench_profiles.PROFILES,
    bench_batch.BATCH,
]
CHAPTERS: list[Callable[[Results], str]] = [
    report_build.chapter,  # build, large and generators
    bench_rest.chapter,
    bench_mcp.chapter,
    bench_footprint.chapter,
    bench_batch.results_chapter,
    bench_soak.chapter,
    bench_profiles.chapter,  # "Where the time goes": the Findings follow it
]


def section_types() -> dict[str, type[Any]]:
    """Section name → its results dataclass (to read ``results.json`` back)."""
    return {section.name: section.result_type for section in SECTIONS}
