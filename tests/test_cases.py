"""Cases as data files: a capability fragment and the code it generates, side by side.

Each ``tests/cases/*.case`` file holds a comment saying what it shows, a ``--- spec`` section
(a capability document) and one or more ``--- <module>: <name>`` sections, each the exact
source that the generated package's ``<module>`` has for the definition (function, class
or assignment) ``<name>`` (``Class.method`` for a method, ``create_app.handler`` for a
function inside one). The test builds the spec in
memory, formatted as a build formats it, and compares each definition. After an intended
change of the generated code, ``NAFTIKO_UPDATE_CASES=1 pytest tests/test_cases.py`` rewrites
the expected sections (review the diff).
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from naftiko_codegen.formatting import format_files
from naftiko_codegen.loader import load_text
from naftiko_codegen.lower import lower
from naftiko_codegen.pipeline import validate
from naftiko_codegen.render import render_package

CASES = Path(__file__).resolve().parent / "cases"
_SECTION = re.compile(r"^--- (?P<head>.+)$", re.MULTILINE)
UPDATE = os.environ.get("NAFTIKO_UPDATE_CASES") == "1"


@dataclass
class Case:
    """One case file: its preamble, spec and expected definitions (module, name, code)."""

    path: Path
    preamble: str
    spec: str
    expected: list[tuple[str, str, str]]

    def text(self, definitions: list[tuple[str, str, str]]) -> str:
        """The case file with ``definitions`` as its expected sections."""
        parts = [self.preamble, "--- spec\n", self.spec]
        for module, name, code in definitions:
            parts += [f"--- {module}: {name}\n", code]
        return "".join(parts)


def read_case(path: Path) -> Case:
    """Split a case file into its sections."""
    text = path.read_text("utf-8")
    marks = list(_SECTION.finditer(text))
    assert marks and marks[0].group("head") == "spec", f"{path.name}: starts with `--- spec`"
    bodies = [
        text[mark.end() + 1 : (marks[i + 1].start() if i + 1 < len(marks) else len(text))]
        for i, mark in enumerate(marks)
    ]
    expected = []
    for mark, body in zip(marks[1:], bodies[1:], strict=True):
        module, _, name = mark.group("head").partition(": ")
        expected.append((module.strip(), name.strip(), body))
    return Case(path, text[: marks[0].start()], bodies[0], expected)


def definition(source: str, name: str) -> str:
    """The source of the top-level definition ``name`` (``Class.method``) in ``source``."""
    tree = ast.parse(source)
    body: list[ast.stmt] = tree.body
    *owners, wanted = name.split(".")
    scopes = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
    for owner in owners:
        body = next(n for n in body if isinstance(n, scopes) and n.name == owner).body
    for node in body:
        names = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        if wanted in names:
            first = (
                node.decorator_list[0].lineno
                if getattr(node, "decorator_list", None)
                else node.lineno
            )
            lines = source.splitlines(keepends=True)[first - 1 : node.end_lineno]
            margin = len(lines[0]) - len(lines[0].lstrip())
            return "".join(line[margin:] if line.strip() else line for line in lines)
    raise AssertionError(f"no definition {name!r}")


def generated(case: Case) -> dict[str, str]:
    """The case's package, rendered and formatted, by module path below the package."""
    document = load_text(case.spec, case.path.stem + ".yaml")
    problems = [d for d in validate(document) if d.severity.value == "error"]
    assert not problems, "\n".join(d.format_text() for d in problems)
    capability, _ = lower(document)
    files = format_files(render_package(capability, "0" * 64))
    prefix = capability.package + "/"
    return {path[len(prefix) :]: text for path, text in files.items() if path.startswith(prefix)}


@pytest.mark.parametrize("path", sorted(CASES.glob("*.case")), ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    case = read_case(path)
    modules = generated(case)
    found = [(m, n, definition(modules[m], n)) for m, n, _ in case.expected]
    if UPDATE:
        path.write_text(case.text(found), "utf-8")
        return
    for (module, name, expected), (_, _, actual) in zip(case.expected, found, strict=True):
        assert actual == expected, f"{path.name}: {module}: {name} differs"


def test_there_are_cases() -> None:
    assert len(list(CASES.glob("*.case"))) >= 10
