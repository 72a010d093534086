"""Which configured capabilities a set of changed files concerns (``build --changed``,
what the pre-commit hooks run with the staged file names).

A changed file selects:

* the capability it is, when the configuration lists it;
* every capability, when it is the configuration file itself;
* the capability whose output folder holds it (a hand-edited generated file), found
  through the naftiko-gen manifest of that folder;
* the capabilities whose ``openapi`` names it;
* the capabilities that read it at build time (an imported consumed API, a prompt or
  resource file, a script). A capability may read only files inside its own folder
  (NG212), so a file is attributed to the capabilities in whose folder it lies and whose
  text, or the text of a YAML file they name (followed to any depth), names the file or
  one of the folders between them. The test is by name: it can select a capability that
  turns out unchanged, never miss one that names the file.

Anything else (a README, a test, a file of another tool) selects nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .output import MANIFEST
from .project import ConfiguredSpec, Project
from .project_keys import split_openapi

_YAML_NAME = re.compile(r"[\w./%@+-]+\.ya?ml\b")
MAX_DEPTH = 16
"""How many files deep a chain of YAML files naming each other is followed."""


def select(
    changed: Iterable[Path], project: Project, specs: Sequence[ConfiguredSpec]
) -> list[ConfiguredSpec]:
    """The configured capabilities ``changed`` concerns, in configuration order."""
    files = {_real(path) for path in changed}
    if _real(project.file) in files:
        return list(specs)
    by_path = {_real(spec.spec): spec for spec in specs}
    chosen: set[Path] = set()
    others: list[Path] = []
    for path in sorted(files):
        if path in by_path:
            chosen.add(path)
        else:
            others.append(path)
    readers = _Readers(list(by_path))
    digests: dict[Path, str] | None = None
    documents = {
        path: {_real(Path(split_openapi(value)[2])) for value in spec.openapi}
        for path, spec in by_path.items()
    }
    for path in others:
        described = {spec for spec, files in documents.items() if path in files}
        if described:
            chosen.update(described)
            continue
        output = _output_folder(path, _real(project.root))
        if output is not None:
            if digests is None:
                digests = {p: _sha256(p) for p in by_path}
            chosen.update(_owners(output, by_path, digests))
            continue
        chosen.update(readers.of(path))
    return [spec for path, spec in by_path.items() if path in chosen]


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _output_folder(path: Path, root: Path) -> Path | None:
    """The naftiko-gen output folder holding ``path`` (one with a manifest), if any."""
    for folder in path.parents:
        if (folder / MANIFEST).is_file():
            return folder
        if folder == root or root not in folder.parents:
            return None
    return None


def _owners(output: Path, specs: dict[Path, ConfiguredSpec], digests: dict[Path, str]) -> set[Path]:
    """The capabilities whose output ``output`` is: by their configured folder, else (for
    outputs named after the package) by the spec digest the manifest records."""
    owners = {
        path
        for path, spec in specs.items()
        if spec.static_output is not None and _real(spec.static_output) == output
    }
    if owners:
        return owners
    try:
        recorded = json.loads((output / MANIFEST).read_text("utf-8")).get("spec_sha256")
    except (OSError, ValueError, AttributeError):
        return set()
    return {
        path
        for path, spec in specs.items()
        if spec.static_output is None and recorded and digests[path] == recorded
    }


class _Readers:
    """Finds the capabilities that may read a file at build time (see the module doc)."""

    def __init__(self, specs: list[Path]) -> None:
        self.specs = specs
        self._texts: dict[Path, str] = {}

    def of(self, target: Path) -> set[Path]:
        """The capabilities that name ``target``, directly or through YAML files."""
        return {spec for spec in self.specs if self._reaches(spec, target, MAX_DEPTH, set())}

    def _reaches(self, source: Path, target: Path, depth: int, seen: set[Path]) -> bool:
        if source in seen or depth == 0:
            return False
        seen.add(source)
        if _names(self._text(source), source.parent, target):
            return True
        return any(
            self._reaches(named, target, depth - 1, seen) for named in self._named_yaml(source)
        )

    def _text(self, path: Path) -> str:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text("utf-8", errors="replace")
            except OSError:
                self._texts[path] = ""
        return self._texts[path]

    def _named_yaml(self, source: Path) -> list[Path]:
        """YAML files inside ``source``'s folder whose names its text contains."""
        found = []
        for name in set(_YAML_NAME.findall(self._text(source))):
            relative = name.removeprefix("file://").lstrip("/")
            candidate = _real(source.parent / relative)
            if candidate.is_file() and source.parent in candidate.parents:
                found.append(candidate)
        return sorted(found)


def _names(text: str, folder: Path, target: Path) -> bool:
    """Whether ``text`` (of a file in ``folder``) names ``target`` or a folder leading to it."""
    if folder not in target.parents:
        return False
    relative = target.relative_to(folder)
    if relative.name in text:
        return True
    return any(str(parent) in text for parent in relative.parents if str(parent) != ".")
