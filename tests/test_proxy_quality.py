"""Quality gates over the packages generated for the proxy tests.

The checked-in Flyte example has no credentials, no header parameters and no ``file://``
binds, so the code paths for those (credential filtering, log masking, file binds) are
only type-checked and lint-checked here: black, ruff and ``mypy --strict`` over the four
other-apis packages and the configuration probe.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.proxy_support")

from .conftest import build_into  # noqa: E402
from .proxy_support import DATA, Installed  # noqa: E402

pytest_plugins = ["tests.proxy_support"]


@pytest.fixture(scope="module")
def packages(
    installed: dict[str, Installed], tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[Path, str]]:
    """(output directory, package name) of every generated package under test."""
    out = tmp_path_factory.mktemp("quality_probe") / "out"
    probe = build_into(DATA / "proxy-config-probe.yaml", out)
    return [
        *((item.out, item.package) for item in installed.values()),
        (out, probe.capability.package),
    ]


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


@pytest.mark.parametrize(
    "command",
    [
        ["black", "--check", "--quiet"],
        ["ruff", "check", "--no-cache", "--isolated"],
        ["mypy", "--strict", "--no-incremental"],
    ],
    ids=["black", "ruff", "mypy-strict"],
)
def test_generated_code_passes(packages: list[tuple[Path, str]], command: list[str]) -> None:
    """One run of each tool over every package (mypy gets the package directories)."""
    targets = [str(out / package) for out, package in packages]
    result = subprocess.run(
        [_tool(command[0]), *command[1:], *targets],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
