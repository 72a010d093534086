"""The steps capability of ``tests/data/steps/``, copied for a test with its scripts."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import DATA

STEPS = DATA / "steps"
SPEC = "steps-capability.yaml"


def copy_spec(root: Path) -> Path:
    """The steps spec and its scripts copied under ``root``, script locations filled in."""
    folder = root / "steps"
    shutil.copytree(STEPS, folder)
    spec = folder / SPEC
    text = spec.read_text("utf-8").replace("file:///SCRIPTS", (folder / "scripts").as_uri())
    spec.write_text(text, "utf-8")
    return spec
