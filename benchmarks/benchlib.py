"""Helpers every section shares: paths, progress, budget, statistics, /proc, pinning, processes."""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = Path(os.environ.get("NAFTIKO_BENCH_WORK") or BENCH / "work")
"""Everything a run writes (``NAFTIKO_BENCH_WORK`` moves it, as the smoke test does)."""
LOGS = WORK / "logs"
LISTENING = re.compile(r"listening on (http://[^\s]+)")
CLK_TCK = os.sysconf("SC_CLK_TCK")
BENCH_JSON = "BENCH_JSON "
_T0 = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr, with the time since start."""
    print(f"[bench {time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- budget


class BudgetSpent(Exception):
    """Raised by a section that stops measuring because the budget is spent (not a failure)."""


class Budget:
    """A wall-clock deadline for the whole run; sections ask it what is left."""

    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.seconds = seconds

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.start

    def remaining(self) -> float:
        """Seconds left (negative once the budget is spent)."""
        return self.seconds - self.elapsed()


# --------------------------------------------------------------------------- statistics


@dataclass
class Summary:
    """Median, spread and the raw values of repeated samples (``n == 0``: nothing measured)."""

    n: int = 0
    median: float = math.nan
    min: float = math.nan
    max: float = math.nan
    p25: float = math.nan
    p75: float = math.nan
    values: list[float] = field(default_factory=list)


def is_missing(x: float | None) -> bool:
    """True for None and NaN: a figure that was not measured."""
    return x is None or math.isnan(x)


def median(values: Sequence[float]) -> float:
    """The median, NaN for no values."""
    return statistics.median(values) if values else math.nan


def summary(values: Iterable[float | None]) -> Summary:
    """The :class:`Summary` of ``values``, leaving out None and NaN."""
    kept = [v for v in values if not is_missing(v)]
    if not kept:
        return Summary()
    ordered: list[float] = sorted(kept)  # type: ignore[arg-type]
    if len(ordered) >= 4:
        q = statistics.quantiles(ordered, n=4, method="inclusive")
        p25, p75 = q[0], q[2]
    else:
        p25, p75 = ordered[0], ordered[-1]
    return Summary(
        n=len(ordered),
        median=statistics.median(ordered),
        min=ordered[0],
        max=ordered[-1],
        p25=p25,
        p75=p75,
        values=[float(v) for v in kept if v is not None],
    )


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Slope and intercept of the least-squares line through (xs, ys)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else math.nan
    return slope, my - slope * mx


def geomean(values: Iterable[float]) -> float:
    """Geometric mean of the positive values (NaN when there are none)."""
    kept = [v for v in values if v and v > 0 and not math.isnan(v)]
    return math.exp(sum(math.log(v) for v in kept) / len(kept)) if kept else math.nan


# --------------------------------------------------------------------------- /proc


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (0.0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) of a process, in KiB."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def loadavg() -> str:
    """Load averages (1, 5, 15 min) and, where the kernel has it, the CPU pressure."""
    try:
        text = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()
        avg60 = float(dict(item.split("=") for item in some[1:])["avg60"])
        text += f" (CPU pressure {avg60:.0f} %)"
    return text


def proc_field(path: str, prefix: str) -> str | None:
    """The text after ``prefix`` on the first line of ``path`` that starts with it."""
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line[len(prefix) :]
    return None


def git_revision() -> str:
    """The short revision of the working tree, noting uncommitted changes to the compiler."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "status",
                "--porcelain",
                "--",
                "naftiko_codegen",
                "templates",
                "schemas",
            ],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return rev + (" + uncommitted changes to the compiler" if dirty else "")


def os_name() -> str:
    """The distribution's pretty name, else the system's name."""
    pretty = proc_field("/etc/os-release", "PRETTY_NAME=")
    return pretty.strip('"') if pretty is not None else platform.system()


# --------------------------------------------------------------------------- pinning


def pin_available() -> bool:
    """Whether processes can be pinned to one CPU each (taskset and at least 2 cores)."""
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


PIN = pin_available()


def pinned(cpu: int | None, command: Sequence[str]) -> list[str]:
    """``command`` run on one CPU (``taskset -c``) when pinning is possible."""
    if cpu is None or not PIN:
        return list(command)
    return ["taskset", "-c", str(cpu), *command]


# --------------------------------------------------------------------------- processes

_STARTED: list[subprocess.Popen[bytes]] = []


@dataclass
class Server:
    """A server process started by the benchmark, announcing ``... listening on URL``."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""
    start_s: float = 0.0

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def cpu(self) -> float:
        """CPU seconds the process has used so far."""
        return cpu_seconds(self.pid)

    def memory(self) -> dict[str, int]:
        """Its resident memory now and at peak (KiB)."""
        return memory_kib(self.pid)

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop it (see :func:`stop_process`)."""
        return stop_process(self.process, timeout)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> int | None:
    """SIGINT (graceful for uvicorn), then SIGTERM, then SIGKILL; only this process."""
    if process.poll() is None:
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    with contextlib.suppress(ValueError):
        _STARTED.remove(process)
    return process.returncode


def stop_all() -> None:
    """Stop every process the benchmark started that still runs."""
    for process in list(_STARTED):
        stop_process(process, timeout=5.0)


def new_log(name: str) -> Path:
    """A log file under ``LOGS`` named after ``name`` that no earlier process used."""
    LOGS.mkdir(parents=True, exist_ok=True)
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    log_path = LOGS / f"{base}.log"
    index = 1
    while log_path.exists():
        index += 1
        log_path = LOGS / f"{base}.{index}.log"
    return log_path


def spawn(
    command: Sequence[str], log_path: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``command`` in the repository with its output to ``log_path``; stopped at exit."""
    with open(log_path, "wb") as handle:
        process = subprocess.Popen(
            list(command),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
        )
    _STARTED.append(process)
    return process


def start_server(
    name: str,
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    cpu: int | None = None,
    timeout: float = 60.0,
) -> Server:
    """Start ``command`` (output to a log file) and wait for its ``listening on`` line."""
    log_path = new_log(name)
    t0 = time.perf_counter()
    process = spawn(pinned(cpu, command), log_path, env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = LISTENING.search(log_path.read_text(errors="replace"))
        if match:
            return Server(
                name, process, log_path, match.group(1).rstrip("/"), time.perf_counter() - t0
            )
        if process.poll() is not None:
            break
        time.sleep(0.01)
    stop_process(process)
    raise RuntimeError(
        f"{name} did not start: see {log_path}\n{log_path.read_text(errors='replace')[-2000:]}"
    )


def run_json(
    command: Sequence[str], timeout: float, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Run a command that prints a ``BENCH_JSON {...}`` line; return the JSON (with ``_cpu_s``)."""
    before = os.times()
    completed = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    after = os.times()
    for line in completed.stdout.splitlines():
        if line.startswith(BENCH_JSON):
            data: dict[str, Any] = json.loads(line[len(BENCH_JSON) :])
            data["_cpu_s"] = (after.children_user - before.children_user) + (
                after.children_system - before.children_system
            )
            return data
    raise RuntimeError(
        f"no result from {' '.join(command)} (exit {completed.returncode}):\n"
        f"{completed.stdout[-1500:]}\n{completed.stderr[-3000:]}"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
