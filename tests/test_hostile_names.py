"""No name can break the build: a capability whose every name is a Python keyword, a
builtin, a module name or a name the generated code uses itself (``tests/hostile_spec.py``)
compiles and passes ``mypy --strict`` and ruff; ``tests/e2e/test_hostile_names_e2e.py``
checks that its servers pass every value to the right place on the wire.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .hostile_spec import build_hostile, hostile_names


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of the hostile capability, built in black's layout (not installed)."""
    return build_hostile(tmp_path_factory.mktemp("hostile"))


def test_there_are_many_hostile_names() -> None:
    for name in ("class", "import", "type", "json", "args", "settings", "upstream", "path"):
        assert name in hostile_names()
    assert len(hostile_names()) > 200


def test_hostile_package_passes_mypy_and_ruff(hostile: Path) -> None:
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "class_capability"],
        cwd=hostile,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert mypy.returncode == 0, mypy.stdout[-4000:]
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,E9", "."],
        cwd=hostile,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ruff.returncode == 0, ruff.stdout[-4000:]
