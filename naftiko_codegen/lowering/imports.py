"""Imported consumes: a ``consumes`` entry with ``location`` + ``import`` (+ ``as``).

The referenced capability file is read at build time with the project's loader (so a
problem inside it is located in *that* file), checked against the schema, and the
``ConsumesHttp`` whose namespace is ``import`` is lowered as if it were written inline
under the local name (``as``, else ``import``). An entry of the imported file may itself
be an import; chains are followed and cycles reported. Only local ``file://`` locations
inside the importing file's directory are read (NG212); naftiko-gen never fetches
anything over the network.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any, NoReturn

from ..diagnostics import CompilationFailed, Path, has_errors
from ..loader import Document, load_document
from ..locations import location_problem, resolve_location
from ..schema_check import check_schema
from .context import Diagnostics

MAX_IMPORT_DEPTH = 16
"""Longest chain of imports followed before giving up (cycles are reported earlier)."""


@dataclasses.dataclass(frozen=True)
class ResolvedImport:
    """The ``ConsumesHttp`` an import names, with the document it is written in."""

    document: Document
    spec: Mapping[str, Any]
    path: Path
    """Where ``spec`` sits in ``document`` (diagnostics inside it are located there)."""


class _ImportFailed(Exception):
    """The import cannot be resolved; its diagnostics have been reported."""


def local_name(entry: Mapping[str, Any]) -> str:
    """The namespace a ``consumes`` entry defines (an import: its ``as``, else ``import``)."""
    if "location" in entry:
        return str(entry.get("as") or entry.get("import") or "")
    return str(entry.get("namespace") or "")


class Imports:
    """Resolves imported consumes; remembers every file read (for drift detection)."""

    def __init__(self, diagnostics: Diagnostics, document: Document) -> None:
        self.diagnostics = diagnostics
        self.doc = document
        """The spec: imported locations are relative to its directory."""
        self.imported_files: dict[str, str] = {}
        """Path relative to the spec's directory (POSIX) → SHA-256 of the file read."""
        self._cache: dict[FsPath, Document | None] = {}
        """Imported documents by resolved path (``None``: the file failed to load)."""

    def resolve_import(self, spec: Mapping[str, Any], path: Path) -> ResolvedImport | None:
        """The ``ConsumesHttp`` that the import at ``path`` (in the spec) names.

        Every problem (unreadable or invalid file, missing namespace, cycle, unsafe
        location in an imported file) is reported, located, and ``None`` returned.
        """
        root = self.doc.directory
        if root is None:
            self.diagnostics.report(
                path + ("location",),
                "NG213",
                "imported consumes need a spec read from a file (its directory anchors "
                "the location)",
            )
            return None
        own = (root / self.doc.file.replace("\\", "/").rsplit("/", 1)[-1]).resolve()
        chain = [(own, local_name(spec))]
        try:
            return self._follow(self.doc, spec, path, chain)
        except _ImportFailed:
            return None

    def _follow(
        self,
        document: Document,
        spec: Mapping[str, Any],
        path: Path,
        chain: list[tuple[FsPath, str]],
    ) -> ResolvedImport:
        """Follow one import (and the imports it leads to) to a ``ConsumesHttp``."""
        location = spec.get("location")
        wanted = str(spec.get("import") or "")
        directory = document.directory
        assert directory is not None  # documents read from files only
        problem = location_problem(location, directory)
        if problem is not None:
            message, hint = problem
            self._fail(document, path + ("location",), "NG212", message, hint=hint)
        target = resolve_location(str(location), directory)
        if not target.is_file():
            self._fail(
                document,
                path + ("location",),
                "NG213",
                f"imported file {self.doc.relative_name(target)!r} does not exist",
                found=f"`{location}`",
            )
        key = (target, wanted)
        if key in chain or len(chain) > MAX_IMPORT_DEPTH:
            cycle = " → ".join(f"{self.doc.relative_name(f)}#{n}" for f, n in [*chain, key])
            self._fail(
                document, path + ("import",), "NG213", f"imported consumes form a cycle: {cycle}"
            )
        imported = self._load(document, path, target)
        consumes = imported.data.get("capability", {}).get("consumes", [])
        for index, entry in enumerate(consumes):
            if local_name(entry) != wanted:
                continue
            entry_path: Path = ("capability", "consumes", index)
            if "location" in entry:
                return self._follow(imported, entry, entry_path, [*chain, key])
            return ResolvedImport(imported, entry, entry_path)
        known = ", ".join(sorted(local_name(e) for e in consumes)) or "none"
        self._fail(
            document,
            path + ("import",),
            "NG213",
            f"{self.doc.relative_name(target)!r} declares no consumed namespace {wanted!r}",
            expected=f"one of: {known}",
        )

    def _load(self, document: Document, path: Path, target: FsPath) -> Document:
        """Read, parse and schema-check ``target`` once; its own problems are located in it."""
        if target in self._cache:
            cached = self._cache[target]
            if cached is None:
                raise _ImportFailed()
            return cached
        relative = self.doc.relative_name(target)
        display = self.doc.sibling_name(target)
        self._cache[target] = None
        try:
            raw = target.read_bytes()
            imported = load_document(target, display_name=display)
        except OSError as error:
            self._fail(
                document,
                path + ("location",),
                "NG006",
                f"cannot read imported file {relative!r}: {error.strerror or error}",
            )
        except CompilationFailed as failure:
            self.diagnostics.extend(failure.diagnostics)
            raise _ImportFailed() from None
        problems = check_schema(imported)
        self.diagnostics.extend(problems)
        if has_errors(problems):
            raise _ImportFailed()
        self.imported_files[relative] = hashlib.sha256(raw).hexdigest()
        self._cache[target] = imported
        return imported

    def _fail(
        self, document: Document, path: Path, code: str, message: str, **extra: Any
    ) -> NoReturn:
        """Report an error located in ``document`` and abandon the import."""
        self.diagnostics.extend([document.diagnostic(path, code, message, **extra)])
        raise _ImportFailed()
