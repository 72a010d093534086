"""Wheel build hook: ship the templates compiled (see naftiko_codegen/template_cache.py).

A wheel gets Jinja's compiled form of every template in ``naftiko_codegen/_template_bytecode``;
an editable install gets it written into the checkout (ignored by git), where a template
edited later is simply compiled again on first use and kept in the user's cache.
``python hatch_build.py`` rewrites the checkout's copy (``make bench`` does, so that it
measures what an installed compiler does).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
TARGET = "naftiko_codegen/_template_bytecode"


def compile_templates(target: Path) -> list[str]:
    """Compile every template of the checkout at ``ROOT`` into ``target`` (emptied first)."""
    sys.path.insert(0, str(ROOT))
    try:
        from naftiko_codegen import render, template_cache
    finally:
        sys.path.remove(str(ROOT))
    shutil.rmtree(target, ignore_errors=True)
    return template_cache.compile_all(render.new_environment(None), target)


class TemplateBytecodeHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compiles the templates into the wheel (or, for an editable install, the checkout)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Write the compiled templates and add them to the wheel."""
        if version == "editable":
            compile_templates(ROOT / TARGET)
            return
        self._folder = Path(tempfile.mkdtemp(prefix="naftiko-gen-bytecode-"))
        compile_templates(self._folder)
        build_data["force_include"][str(self._folder)] = TARGET

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary folder of a standard wheel build."""
        folder = getattr(self, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    names = compile_templates(ROOT / TARGET)
    print(f"hatch_build: {len(names)} templates compiled into {ROOT / TARGET}")
