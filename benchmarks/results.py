"""The typed results of a run, and ``results.json``: written from them, read back into them.

Every section keeps its own results dataclass (``bench_*.py``); :class:`Results` holds what
the run shares (machine, configuration, set-up, errors, timings) and each section's results
under its name. :func:`to_json` and :func:`from_json` convert any of these dataclasses to
JSON and back, guided by their type hints, so the saved file is exactly what the report reads.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bench_setup import Environment, Generated
from benchlib import os_name, proc_field

T = TypeVar("T")
DEPENDENCIES = (
    "httpx",
    "starlette.applications",
    "uvicorn",
    "fastapi",
    "jsonschema",
    "mcp_types",
    "mcp.server.lowlevel",
    "mcp",
)


@dataclass
class Machine:
    """What the run ran on."""

    cpu_model: str = "?"
    cores: int | None = None
    memory: str = "?"
    kernel: str = ""
    os: str = ""
    python: str = ""
    python_impl: str = ""
    date_utc: str = ""

    @classmethod
    def collect(cls) -> Machine:
        """This machine, now."""
        model = proc_field("/proc/cpuinfo", "model name")
        memory = proc_field("/proc/meminfo", "MemTotal:")
        return cls(
            cpu_model=model.split(":", 1)[1].strip() if model is not None else "?",
            cores=os.cpu_count(),
            memory=f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB" if memory is not None else "?",
            kernel=platform.release(),
            os=os_name(),
            python=platform.python_version(),
            python_impl=platform.python_implementation(),
            date_utc=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        )


@dataclass
class Config:
    """How much each section measures: durations, repetitions, sizes (full, quick or smoke)."""

    rest_duration: float = 3.0
    """Seconds of load per REST run (each load point, each target)."""
    rest_runs: int = 3
    rest_conc: list[int] = field(default_factory=lambda: [1, 8, 64])
    """Connections of the REST load points."""
    mcp_duration: float = 3.0
    mcp_runs: int = 3
    mcp_sessions: list[int] = field(default_factory=lambda: [1, 8])
    small_procs: int = 5
    """In-process samples (fresh processes) of the Flyte capability and the small specs."""
    small_whole: int = 5
    """Whole-process samples of the same."""
    synthetic_small: list[int] = field(default_factory=lambda: [10, 100])
    synthetic_large: list[int] = field(default_factory=lambda: [1000, 5000])
    footprint_reps: int = 3
    generator_reps: int = 3
    big_procs: int = 1
    """Samples of the larger corpus specs."""
    runtime_reserve: float = 800.0
    """Seconds of the budget the large builds leave for the sections after them (the soak's
    ~70 s included)."""
    profile_duration: float = 2.0
    profile_concurrency: int = 8
    """Connections (REST) or sessions (MCP) loading each server while it is profiled."""
    sniffio_points: list[tuple[str, int]] = field(default_factory=lambda: [("GET", 8)])
    mcp_sniffio_sessions: list[int] = field(default_factory=lambda: [8])
    warmup_s: float = 1.0
    """Load before the measured REST runs and the runtime profiles, per target (not recorded)."""
    batch_sizes: list[int] = field(default_factory=lambda: [10, 30, 100])
    """Capabilities of each batch-build point (the last one is the target's)."""
    batch_repeats: int = 2
    batch_check: bool = True
    """Also time ``build --check`` of the largest point with the cache filled."""
    mcp_warmup_s: float = 0.5
    """The same for the MCP targets."""
    soak_duration: float = 60.0
    """Seconds of steady load on the generated REST server in the soak section."""
    soak_connections: int = 64
    soak_sample_s: float = 2.0
    """Interval between two readings of the server's resident memory during the soak."""
    corpus: bool = True
    """Build the whole Flyte Admin API and the corpus files too (not only the Flyte capability)."""
    dependencies: list[str] = field(default_factory=lambda: list(DEPENDENCIES))
    """Modules whose import time is measured one by one (footprint)."""

    @classmethod
    def full(cls) -> Config:
        """What ``make bench`` measures."""
        return cls()

    @classmethod
    def quick(cls) -> Config:
        """``--quick``: every section, cut down (figures not meaningful)."""
        return cls(
            rest_duration=1.0,
            rest_runs=1,
            rest_conc=[1, 8],
            mcp_duration=1.0,
            mcp_runs=1,
            small_procs=2,
            small_whole=2,
            synthetic_large=[],
            footprint_reps=2,
            generator_reps=1,
            runtime_reserve=135.0,
            profile_duration=1.0,
            batch_sizes=[10, 30],
            batch_repeats=1,
            batch_check=False,
            soak_duration=10.0,
            soak_sample_s=1.0,
        )

    @classmethod
    def smoke(cls) -> Config:
        """``--smoke``: the least that still runs every code path of every section."""
        return cls(
            rest_duration=0.3,
            rest_runs=1,
            rest_conc=[1],
            mcp_duration=0.3,
            mcp_runs=1,
            mcp_sessions=[1],
            small_procs=1,
            small_whole=1,
            synthetic_small=[10],
            synthetic_large=[20],
            footprint_reps=1,
            generator_reps=1,
            runtime_reserve=30.0,
            profile_duration=0.2,
            profile_concurrency=2,
            sniffio_points=[("GET", 1)],
            mcp_sniffio_sessions=[],
            warmup_s=0.2,
            mcp_warmup_s=0.2,
            corpus=False,
            batch_sizes=[2],
            batch_repeats=1,
            batch_check=False,
            dependencies=["httpx"],
            soak_duration=1.0,
            soak_sample_s=0.1,
        )


@dataclass
class Results:
    """One run: what the sections share, and each section's results under its name."""

    machine: Machine = field(default_factory=Machine)
    revision: str = "?"
    config: Config = field(default_factory=Config)
    quick: bool = False
    smoke: bool = False
    pinning: bool = False
    load: dict[str, str] = field(default_factory=dict)
    """Load average and CPU pressure at the start, at each section and at the end."""
    errors: dict[str, str] = field(default_factory=dict)
    """Per section (or ``setup``): why it failed or was skipped."""
    section_s: dict[str, float] = field(default_factory=dict)
    total_s: float = 0.0
    generated: Generated | None = None
    environment: Environment = field(default_factory=Environment)
    sections: dict[str, object] = field(default_factory=dict)
    """Section name → that section's results dataclass, in the order they ran."""


# --------------------------------------------------------------------------- JSON


def to_json(value: object) -> Any:
    """``value`` (dataclasses, lists, tuples, dicts, scalars) as plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def from_json(kind: type[T], data: object) -> T:
    """JSON data read back into ``kind`` (a dataclass), checked against its type hints."""
    return typing.cast(T, _convert(kind, data, "$"))


def _convert(kind: Any, data: object, where: str) -> object:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if kind is Any or kind is object:
        return data
    if origin is typing.Union or origin is types.UnionType:
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, data, where)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind, data, where)
    if origin is list and isinstance(data, list):
        return [_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(data)]
    if origin is tuple and isinstance(data, list):
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(data))
        if len(args) == len(data):
            return tuple(
                _convert(a, v, f"{where}[{i}]")
                for i, (a, v) in enumerate(zip(args, data, strict=True))
            )
    if origin is dict and isinstance(data, dict):
        return {k: _convert(args[1], v, f"{where}.{k}") for k, v in data.items()}
    if kind is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if kind in (int, str, bool) and type(data) is kind:
        return data
    raise ValueError(
        f"results.json {where}: expected {kind}, found {type(data).__name__} {str(data)[:80]!r}"
    )


def _dataclass(kind: type[Any], data: object, where: str) -> object:
    if not isinstance(data, dict):
        raise ValueError(f"results.json {where}: expected an object for {kind.__name__}")
    hints = typing.get_type_hints(kind)
    names = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"results.json {where}: {kind.__name__} has no field {', '.join(unknown)}")
    return kind(
        **{name: _convert(hints[name], value, f"{where}.{name}") for name, value in data.items()}
    )


def save(results: Results, path: Path) -> None:
    """Write ``results`` to ``path`` as JSON (NaN stands for what was not measured)."""
    path.write_text(json.dumps(to_json(results), indent=1))


def load(path: Path, section_types: dict[str, type[Any]]) -> Results:
    """Read a ``results.json``; each section's results become its ``section_types`` dataclass."""
    data = json.loads(path.read_text())
    sections = data.pop("sections", {})
    results = from_json(Results, data)
    for name, value in sections.items():
        if name not in section_types:
            raise ValueError(
                f"{path}: unknown section {name!r} (known: {', '.join(section_types)})"
            )
        results.sections[name] = from_json(section_types[name], value)
    return results
