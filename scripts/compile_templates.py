"""Write the templates' compiled modules to ``naftiko_codegen/compiled_templates/``.

Run after editing a template (``make templates``); ``--check`` only reports modules that
are missing, stale or extra (exit 1), as the test suite does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jinja2

from naftiko_codegen.precompiled import compile_module, module_name, template_names
from naftiko_codegen.render import environment

TARGET = Path(__file__).resolve().parent.parent / "naftiko_codegen" / "compiled_templates"
INIT = (
    '"""Compiled templates (see naftiko_codegen/precompiled.py); generated, do not edit."""\n\n'
    "JINJA_VERSION = {version!r}\n"
    '"""The Jinja that compiled them: with another, every template is compiled from source."""\n'
)


def expected_files() -> dict[str, str]:
    """Every file the compiled-templates package should hold, by name."""
    env = environment()
    files = {"__init__.py": INIT.format(version=jinja2.__version__)}
    for template in template_names(env):
        files[f"{module_name(template)}.py"] = compile_module(env, template)
    return files


def main() -> int:
    """Write (or with ``--check`` compare) the compiled templates; 1 when out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    check = parser.parse_args().check
    expected = expected_files()
    present = {p.name: p.read_text(encoding="utf-8") for p in TARGET.glob("*.py")}
    stale = sorted(n for n in expected.keys() | present.keys() if expected.get(n) != present.get(n))
    if check:
        for name in stale:
            print(f"compile_templates: out of date: {TARGET / name}", file=sys.stderr)
        return 1 if stale else 0
    TARGET.mkdir(exist_ok=True)
    for name in stale:
        if name in expected:
            (TARGET / name).write_text(expected[name], encoding="utf-8")
        else:
            (TARGET / name).unlink()
    print(f"compile_templates: {len(stale)} of {len(expected)} files rewritten in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
