"""Helpers of ``run.py``: processes, CPU pinning, /proc readings, statistics, environments."""

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
WORK = BENCH / "work"
LOGS = WORK / "logs"
LISTENING = re.compile(r"listening on (http://[^\s]+)")
CLK_TCK = os.sysconf("SC_CLK_TCK")
BENCH_JSON = "BENCH_JSON "


def log(message: str) -> None:
    """Progress on stderr, with the time since start."""
    print(f"[bench {time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


_T0 = time.perf_counter()


# --------------------------------------------------------------------------- budget


class Budget:
    """A wall-clock deadline for the whole run; sections ask it what is left."""

    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.seconds = seconds

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self) -> float:
        return self.seconds - self.elapsed()


# --------------------------------------------------------------------------- statistics


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def spread(values: Sequence[float]) -> tuple[float, float]:
    return (min(values), max(values)) if values else (math.nan, math.nan)


def summary(values: Sequence[float]) -> dict[str, Any]:
    """Median, min, max, p25, p75 and the raw values."""
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return {"n": 0, "median": math.nan, "min": math.nan, "max": math.nan, "values": []}
    ordered = sorted(values)
    if len(ordered) >= 4:
        q = statistics.quantiles(ordered, n=4, method="inclusive")
        p25, p75 = q[0], q[2]
    else:
        p25, p75 = ordered[0], ordered[-1]
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p25": p25,
        "p75": p75,
        "values": values,
    }


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Slope and intercept of the least-squares line through (xs, ys)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    slope = sxy / sxx if sxx else math.nan
    return slope, my - slope * mx


def geomean(values: Iterable[float]) -> float:
    values = [v for v in values if v and v > 0 and not math.isnan(v)]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


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
    """Load averages (1, 5, 15 min) and, where the kernel has it, the CPU pressure (share of time some task waited)."""
    try:
        text = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()
        avg60 = float(dict(field.split("=") for field in some[1:])["avg60"])
        text += f" (CPU pressure {avg60:.0f} %)"
    return text


def machine_info() -> dict[str, Any]:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "memory": memory,
        "kernel": platform.release(),
        "os": _os_name(),
        "python": platform.python_version(),
        "python_impl": platform.python_implementation(),
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }


def _os_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return platform.system()


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "naftiko_codegen", "templates", "schemas"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return rev + (" + uncommitted changes to the compiler" if dirty else "")


# --------------------------------------------------------------------------- pinning


def pin_available() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


PIN = pin_available()


def pinned(cpu: int | None, command: Sequence[str]) -> list[str]:
    """``command`` run on one CPU (``taskset -c``) when pinning is possible."""
    if cpu is None or not PIN:
        return list(command)
    return ["taskset", "-c", str(cpu), *command]


# --------------------------------------------------------------------------- processes

_STARTED: list[subprocess.Popen[Any]] = []


@dataclass
class Server:
    """A server process started by the benchmark, announcing ``... listening on URL``."""

    name: str
    process: subprocess.Popen[Any]
    log_path: Path
    url: str = ""
    start_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def memory(self) -> dict[str, int]:
        return memory_kib(self.pid)

    def stop(self, timeout: float = 10.0) -> int | None:
        return stop_process(self.process, timeout)


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> int | None:
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
    for process in list(_STARTED):
        stop_process(process, timeout=5.0)


def start_server(
    name: str,
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    cpu: int | None = None,
    timeout: float = 60.0,
    cwd: Path | None = None,
) -> Server:
    """Start ``command`` (output to a log file) and wait for its ``listening on`` line."""
    LOGS.mkdir(parents=True, exist_ok=True)
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    log_path = LOGS / f"{base}.log"
    index = 1
    while log_path.exists():
        index += 1
        log_path = LOGS / f"{base}.{index}.log"
    handle = open(log_path, "wb")  # noqa: SIM115 - owned by the process
    t0 = time.perf_counter()
    process = subprocess.Popen(
        pinned(cpu, command),
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
    )
    handle.close()
    _STARTED.append(process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        match = LISTENING.search(text)
        if match:
            return Server(name, process, log_path, match.group(1).rstrip("/"), time.perf_counter() - t0)
        if process.poll() is not None:
            break
        time.sleep(0.01)
    stop_process(process)
    raise RuntimeError(f"{name} did not start: see {log_path}\n{log_path.read_text(errors='replace')[-2000:]}")


def run_json(command: Sequence[str], timeout: float, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Run a command that prints a ``BENCH_JSON {...}`` line; return the JSON (with ``_cpu_s``)."""
    before = os.times()
    completed = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        stdin=subprocess.DEVNULL,
    )
    after = os.times()
    for line in completed.stdout.splitlines():
        if line.startswith(BENCH_JSON):
            data: dict[str, Any] = json.loads(line[len(BENCH_JSON):])
            data["_cpu_s"] = (after.children_user - before.children_user) + (after.children_system - before.children_system)
            return data
    raise RuntimeError(
        f"no result from {' '.join(command)} (exit {completed.returncode}):\n"
        f"{completed.stdout[-1500:]}\n{completed.stderr[-3000:]}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- environments


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def pip_install(venv: Path, requirements: Sequence[str], log_name: str, constraints: Path | None = None, timeout: float = 420) -> tuple[bool, str]:
    """``pip install`` into ``venv``; returns (ok, last lines of the output)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    command = [str(venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if constraints is not None:
        command += ["-c", str(constraints)]
    command += list(requirements)
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"pip install timed out after {timeout:.0f} s"
    output = completed.stdout + completed.stderr
    (LOGS / f"{log_name}.log").write_text(output)
    lines = [line for line in output.splitlines() if "is ignored: it is neither a file nor a directory" not in line]
    return completed.returncode == 0, "\n".join(lines[-12:])


def create_venv(venv: Path) -> None:
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=180)


def installed_versions(python: Path, names: Sequence[str]) -> dict[str, str]:
    code = (
        "import json, sys\nfrom importlib import metadata\nout = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = metadata.version(n)\n"
        "    except metadata.PackageNotFoundError: out[n] = None\n"
        "print(json.dumps(out))"
    )
    try:
        completed = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True, timeout=60)
        return {k: v for k, v in json.loads(completed.stdout).items() if v}
    except (OSError, ValueError, subprocess.SubprocessError):
        return {}


def ensure_wrk() -> tuple[str | None, str]:
    """The path of ``wrk``, installing Debian's package when possible; and what happened."""
    found = shutil.which("wrk")
    if found:
        return found, "already installed"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "wrk is not installed and apt-get is not usable (not root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    attempts = [["apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"]]
    notes = []
    for update_first in (False, True):
        try:
            if update_first:
                subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=180, env=env)
            completed = subprocess.run(attempts[0], capture_output=True, text=True, timeout=240, env=env)
        except subprocess.TimeoutExpired:
            notes.append("apt-get timed out")
            continue
        if completed.returncode == 0 and shutil.which("wrk"):
            return shutil.which("wrk"), "installed with apt-get" + (" (after apt-get update)" if update_first else "")
        notes.append((completed.stderr or completed.stdout).strip().splitlines()[-1:][0] if (completed.stderr or completed.stdout).strip() else f"exit {completed.returncode}")
    return None, "apt-get install wrk failed: " + "; ".join(notes)
