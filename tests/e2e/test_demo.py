"""`make demo`'s script, run as a user would: build, install, start, example calls."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_demo_builds_installs_serves_and_answers(tmp_path: Path) -> None:
    """Relative ``--out``/``--target`` are the caller's (a bare ``out`` once reached pip as the
    name of an unrelated project on the index); ports 0 pick free ones; ``--no-wait`` stops
    every server after the examples."""
    env = {
        **os.environ,
        "DEMO_SIMULATOR_PORT": "0",
        "DEMO_REST_PORT": "0",
        "DEMO_MCP_PORT": "0",
    }
    command = [sys.executable, str(ROOT / "scripts" / "demo.py")]
    done = subprocess.run(
        [*command, "--out", "out", "--target", "site", "--no-wait"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "out" / "pyproject.toml").is_file()
    assert (tmp_path / "site" / "flyte_admin_api_executions" / "rest.py").is_file()
    assert "isError=False" in done.stdout and "isError=True" in done.stdout
    for line in ("Flyte Admin simulator: http://127.0.0.1:", "REST adapter:", "MCP adapter:"):
        assert line in done.stdout
