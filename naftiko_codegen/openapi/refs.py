"""``$ref`` resolution inside OpenAPI documents, local only.

A reference is a JSON pointer into the same file (``#/components/schemas/Pet``) or into a
file beside it (``schemas/pet.yaml#/Pet``, ``./common.json``), resolved against the file
that writes it. Files are read under the rules of every ``location`` (``locations.py``):
relative paths inside the OpenAPI file's folder tree; other schemes (``https://``), hosts
and ``..`` escapes are refused. Nothing is ever fetched over the network. A reference that
cannot be followed is reported once (NG216, a warning) and describes any value.
"""

from __future__ import annotations

import dataclasses
import os
import re
import urllib.parse
from pathlib import Path as FsPath
from typing import Any

from ..diagnostics import CompilationFailed, Diagnostic, Path, Severity
from ..locations import location_problem, resolve_location
from .source import SourceFile, read_source

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclasses.dataclass(frozen=True)
class RefKey:
    """The identity of a referenced value: its file and its path in that file."""

    file: str
    """The file as diagnostics name it."""
    path: Path

    def __add__(self, part: str | int) -> RefKey:
        """The key of the value at ``part`` below this one."""
        return RefKey(self.file, (*self.path, part))


@dataclasses.dataclass(frozen=True)
class Resolved:
    """A followed reference: the value it names and where that value is written."""

    value: Any
    key: RefKey


class Resolver:
    """Follows ``$ref`` values across the OpenAPI file and the local files it names."""

    def __init__(self, main: SourceFile) -> None:
        self.main = main
        self.directory = main.path.resolve().parent
        self.files: dict[str, SourceFile | None] = {main.name: main}
        self.diagnostics: list[Diagnostic] = []
        self._reported: set[tuple[str, str]] = set()

    def source(self, name: str) -> SourceFile:
        """A file already read, by the name diagnostics give it."""
        found = self.files.get(name)
        return found if found is not None else self.main

    def resolve(self, ref: object, where: RefKey) -> Resolved | None:
        """The value ``ref`` names, written at ``where``; ``None`` (reported) when it
        cannot be followed."""
        if not isinstance(ref, str):
            self.report(where, repr(ref), "a `$ref` must be a string")
            return None
        target, _, fragment = ref.partition("#")
        file = where.file
        if target:
            loaded = self._file(target, where, ref)
            if loaded is None:
                return None
            file = loaded
        pointer = _pointer(urllib.parse.unquote(fragment))
        if pointer is None:
            self.report(where, ref, "the part after `#` is not a JSON pointer (`#/a/b`)")
            return None
        value: Any = self.source(file).data
        path: list[str | int] = []
        for part in pointer:
            if isinstance(value, dict) and part in value:
                value = value[part]
                path.append(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
                path.append(int(part))
            else:
                self.report(where, ref, "it names nothing in the document")
                return None
        return Resolved(value, RefKey(file, tuple(path)))

    def _file(self, target: str, where: RefKey, ref: str) -> str | None:
        """The name of the local file ``target`` names, read once; ``None`` when refused."""
        location = target
        if not _SCHEME.match(target):
            location = urllib.parse.unquote(target)
            if not location.startswith("/"):  # relative to the file that writes it
                base = self.source(where.file).path.resolve().parent
                location = os.path.relpath(os.path.join(base, location), self.directory)
        problem = location_problem(location, self.directory)
        if problem is not None:
            self.report(where, ref, problem[0])
            return None
        path = resolve_location(location, self.directory)
        name = (FsPath(self.main.name).parent / path.relative_to(self.directory)).as_posix()
        if name not in self.files:
            try:
                self.files[name] = read_source(path, name)
            except CompilationFailed:
                self.files[name] = None
        if self.files[name] is None:
            self.report(where, ref, "the file cannot be read as JSON or YAML")
            return None
        return name

    def report(self, where: RefKey, ref: str, reason: str) -> None:
        """NG216 once per reference and file: it is not followed."""
        if (where.file, ref) in self._reported:
            return
        self._reported.add((where.file, ref))
        self.diagnostics.append(
            self.source(where.file).diagnostic(
                where.path,
                "NG216",
                f"`$ref` {ref!r} is not followed: {reason}; it describes any value",
                severity=Severity.WARNING,
                hint="naftiko-gen reads only local files inside the OpenAPI file's folder "
                "and never fetches anything",
            )
        )


def _pointer(fragment: str) -> list[str] | None:
    """The keys of a JSON pointer (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``)."""
    if fragment == "":
        return []
    if not fragment.startswith("/"):
        return None
    return [part.replace("~1", "/").replace("~0", "~") for part in fragment[1:].split("/")]
