"""Shared fixtures: paths, compiled packages, and real server processes on 127.0.0.1."""

from __future__ import annotations

import difflib
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from naftiko_codegen.formatting import format_files
from naftiko_codegen.output import write_tree
from naftiko_codegen.pipeline import Result, analyse
from naftiko_codegen.render import render_package

from .corpus_check import CORPUS, SUMMARIES

# Keep black's formatting cache out of the developer's home, shared by the whole session
# (subprocesses inherit it); set NAFTIKO_GEN_CACHE_DIR to override.
os.environ.setdefault("NAFTIKO_GEN_CACHE_DIR", tempfile.mkdtemp(prefix="naftiko-gen-test-cache-"))

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SAMPLE_SPECS = [
    CORPUS / "naftiko-framework" / "mcp" / "mcp-tool-handler-with-mustache-capability.yaml",
    CORPUS / "naftiko-framework" / "mcp" / "mcp-hints-capability.yaml",
    CORPUS / "naftiko-framework" / "http" / "http-body-capability.yaml",
    CORPUS / "other-apis" / "github" / "markdown-render.yaml",
    CORPUS / "other-apis" / "anthropic" / "models-messages.yaml",
    CORPUS / "other-apis" / "twilio" / "events-schemas.yaml",
]
"""A few small corpus specs of different shapes, for the determinism and fuzz tests."""
FLYTE_SPEC = REPO / "specs" / "flyte-admin-executions.yaml"
FLYTE_PACKAGE = "flyte_admin_api_executions"
FLYTE_PREFIX = "FLYTE_ADMIN_API_EXECUTIONS_"
READY_DEADLINE = 60.0
_LISTENING = re.compile(r"(.+?) listening on (http://\S+)")


@dataclass
class ServerProcess:
    """A subprocess that announces ``<label> listening on <url>`` lines on stdout or stderr."""

    process: subprocess.Popen[str]
    urls: dict[str, str] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """Terminate the process (kill it if it does not stop within 10 s)."""
        stop_process(self.process)

    def url(self, label_part: str) -> str:
        """The announced URL whose label contains ``label_part``."""
        matches = [url for label, url in self.urls.items() if label_part in label]
        assert len(matches) == 1, f"{label_part!r} not in {self.urls}"
        return matches[0]


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Terminate ``process`` if it runs (kill it if it does not stop within 10 s)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_server(
    args: Sequence[str],
    expected: int,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ServerProcess:
    """Start ``args`` and wait (with a deadline, no sleeps) for ``expected`` announcements."""
    process = subprocess.Popen(
        list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    server = ServerProcess(process)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + READY_DEADLINE
    while len(server.urls) < expected:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            server.stop()
            raise AssertionError("server not ready in time:\n" + "".join(server.output))
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            server.stop()
            raise AssertionError("server exited early:\n" + "".join(server.output))
        server.output.append(line)
        match = _LISTENING.search(line)
        if match:
            server.urls[match.group(1).strip()] = match.group(2)

    def drain() -> None:  # keep the pipe from filling up
        while lines.get() is not None:
            pass

    threading.Thread(target=drain, daemon=True).start()
    return server


def compile_in_black_layout(spec: Path, **options: object) -> Result:
    """``compile_spec(spec)``, failing the test if black changed any rendered module: the
    templates must render black's layout (a cold build then formats in one pass, not two)."""
    capability, diagnostics, digest = analyse(spec, **options)  # type: ignore[arg-type]
    rendered = render_package(capability, digest)
    files = format_files(rendered)
    for path, text in rendered.items():
        if path.endswith(".py") and files[path] != text:
            diff = difflib.unified_diff(text.splitlines(True), files[path].splitlines(True))
            pytest.fail(f"{path} is not in black's layout:\n{''.join(list(diff)[:60])}")
    return Result(capability, files, diagnostics, digest)


def build_into(spec: Path, out: Path, **options: object) -> Result:
    """Compile ``spec`` (in black's layout, see above) and write the package into ``out``."""
    result = compile_in_black_layout(spec, **options)
    write_tree(out, result.files, result.spec_digest)
    return result


def pip_install(package_dir: Path, target: Path) -> Path:
    """``pip install`` a generated package into ``target`` (no network: deps are in this venv)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(package_dir),
        ],
        check=True,
        timeout=300,
    )
    return target


@pytest.fixture(scope="session")
def flyte_result() -> Result:
    """The compiled Flyte capability, in memory."""
    return compile_in_black_layout(FLYTE_SPEC)


@pytest.fixture(scope="session")
def flyte_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Flyte package, built and pip-installed into its own site directory."""
    root = tmp_path_factory.mktemp("flyte")
    build_into(FLYTE_SPEC, root / "out")
    return pip_install(root / "out", root / "site")


@pytest.fixture(scope="session")
def simulator() -> Iterator[str]:
    """A Flyte Admin simulator on a free port; yields its base URL."""
    server = start_server(
        [sys.executable, "-m", "simulator.flyte_admin", "--port", "0"], expected=1, cwd=REPO
    )
    try:
        yield server.url("simulator")
    finally:
        server.stop()


def flyte_env(site: Path, upstream: str, **extra: str) -> dict[str, str]:
    """Environment for the installed Flyte package pointing at ``upstream``."""
    return {
        "PYTHONPATH": str(site),
        FLYTE_PREFIX + "ADMIN_EXECUTIONS_BASE_URL": upstream,
        FLYTE_PREFIX + "REST_PORT": "0",
        FLYTE_PREFIX + "MCP_PORT": "0",
        FLYTE_PREFIX + "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture(scope="session")
def flyte_servers(flyte_site: Path, simulator: str) -> Iterator[ServerProcess]:
    """The generated REST and MCP servers (one process, ``all``) in front of the simulator."""
    server = start_server(
        [sys.executable, "-m", FLYTE_PACKAGE, "all"],
        expected=2,
        env=flyte_env(flyte_site, simulator),
    )
    try:
        yield server
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the corpus check's counts (files built, operations generated and skipped)."""
    for line in SUMMARIES:
        terminalreporter.write_line(line)


_IMPORT_EVERY_MODULE = (
    "import importlib, pkgutil, sys\n"
    "for name in sys.argv[1:]:\n"
    "    package = importlib.import_module(name)\n"
    "    for module in pkgutil.iter_modules(package.__path__):\n"
    "        importlib.import_module(name + '.' + module.name)\n"
)


def import_every_module(root: Path, packages: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Import every module of ``packages`` (found below ``root``) in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-B", "-c", _IMPORT_EVERY_MODULE, *packages],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
