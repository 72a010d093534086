"""Beta5 imports: ``{from: ./shared/registry.consumes.yml, import: registry, as: ...}``.

An entry of ``consumes``, ``exposes``, ``aggregates`` or ``binds`` that has ``from`` is
replaced, at build time, by the entry of that section whose namespace is ``import`` in the
named file: a standalone file (``ikanos`` plus the section at its root) or a capability
(the section under ``capability``). The copy takes the namespace ``as`` (else ``import``);
an import's ``description`` replaces the entry's. As in the official engine, import entries
of the source file are not followed (standalone files may not have any).

The file is read with the project's loader and the beta5 front-end, so a problem inside it is
located in *that* file; ``from`` must name a local file inside the spec's directory tree
(NG212, the rule of every location), never anything over the network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path as FsPath
from typing import Any

from ..diagnostics import CompilationFailed, Diagnostic, Path, has_errors
from ..loader import Document, load_document
from ..locations import location_problem, resolve_location

Reader = Callable[[Document], tuple[Document, list[Diagnostic]]]
"""Reads an imported file: its normalised model and the problems found in it."""


class Importer:
    """Resolves the import entries of one spec, reading each imported file once."""

    def __init__(self, document: Document, read: Reader) -> None:
        self.document = document
        self.read = read
        self.diagnostics: list[Diagnostic] = []
        self.imported: dict[str, str] = {}
        """Path relative to the spec's directory (POSIX) → SHA-256 of every file read."""
        self._cache: dict[FsPath, Document | None] = {}

    def resolve(
        self, section: str, entry: Mapping[str, Any], written: Path
    ) -> tuple[Document, Path, Mapping[str, Any]] | None:
        """The entry the import at ``written`` names: the normalised document it is in, its
        path there, and the entry itself (``None`` once the problem is reported)."""
        source = entry.get("from")
        wanted = str(entry.get("import") or "")
        directory = self.document.directory
        where = written + ("from",)
        if directory is None:
            self._fail(where, "imports need a spec read from a file")
            return None
        problem = location_problem(source, directory)
        if problem is not None:
            message, hint = problem
            self._fail(where, message, code="NG212", hint=hint, found=f"`{source}`")
            return None
        target = resolve_location(str(source), directory)
        if not target.is_file():
            self._fail(
                where,
                f"imported file {self.document.relative_name(target)!r} does not exist",
                found=f"`{source}`",
            )
            return None
        imported = self._load(target, where)
        if imported is None:
            return None
        for base in ((), ("capability",)):
            scope = imported.data if not base else imported.data.get("capability", {})
            entries = scope.get(section) if isinstance(scope, Mapping) else None
            for index, candidate in enumerate(entries if isinstance(entries, list) else []):
                if isinstance(candidate, Mapping) and candidate.get("namespace") == wanted:
                    return imported, (*base, section, index), candidate
        known = sorted(
            str(c.get("namespace"))
            for c in (imported.data.get("capability", {}).get(section) or [])
            if isinstance(c, Mapping) and "namespace" in c
        )
        self._fail(
            written + ("import",),
            f"{self.document.relative_name(target)!r} declares no {section} namespace {wanted!r}",
            expected="one of: " + (", ".join(known) or "none"),
        )
        return None

    def _load(self, target: FsPath, where: Path) -> Document | None:
        """The normalised model of ``target``, read and checked once."""
        if target in self._cache:
            return self._cache[target]
        self._cache[target] = None
        relative = self.document.relative_name(target)
        display = self.document.sibling_name(target)
        try:
            raw = target.read_bytes()
            loaded = load_document(target, display_name=display)
        except OSError as error:
            self._fail(where, f"cannot read imported file {relative!r}: {error.strerror or error}")
            return None
        except CompilationFailed as failure:
            self.diagnostics.extend(failure.diagnostics)
            return None
        if "ikanos" not in loaded.data:
            self._fail(
                where,
                f"imported file {relative!r} is not an Ikanos 1.0.0-beta5 document",
                expected="`ikanos: 1.0.0-beta5` at its root",
                hint="`naftiko-gen migrate` writes an alpha2 file as beta5",
            )
            return None
        normalised, problems = self.read(loaded)
        self.diagnostics.extend(problems)
        if has_errors(problems):
            return None
        self.imported[relative] = hashlib.sha256(raw).hexdigest()
        self._cache[target] = normalised
        return normalised

    def _fail(self, path: Path, message: str, *, code: str = "NG213", **extra: Any) -> None:
        """Report an error located in the spec; the import is dropped."""
        self.diagnostics.append(self.document.diagnostic(path, code, message, **extra))
