"""The front-end of Ikanos 1.0.0-beta5 (``ikanos: 1.0.0-beta5``).

1. Lists of named entries written where beta5 has maps are read as those maps
   (:mod:`.legacy`, as the official engine does).
2. The document is checked against ``schemas/ikanos-capability.schema.json`` (the official
   beta5 schema plus the accepted real-world forms), every problem located; an alpha2
   spelling (``label``, ``functions``, ``targetName``, ``location`` on an import) gets a hint
   naming its beta5 form.
3. Imports (``from:``) are resolved (:mod:`.beta5_imports`) and the result normalised into the
   model every front-end produces (:mod:`.beta5_normalise`).

A standalone file (a section at the root, no ``capability``) is read as a capability that
holds that section; it may not import (its entries are leaves of the import graph).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ..diagnostics import Diagnostic, Path, has_errors
from ..loader import Document
from ..schema_check import check_schema
from .beta5_imports import Importer
from .beta5_normalise import Normaliser, Shape
from .derived import Derivation
from .legacy import relist

SECTIONS = ("binds", "consumes", "exposes", "aggregates")
"""The sections an entry may be imported into (``from``), in the order they are read."""

ALPHA2_SPELLINGS = {
    "label": "display",
    "functions": "flows",
    "targetName": "target",
    "location": "from",
    "naftiko": "ikanos",
}
"""Keys alpha2 wrote that beta5 renamed (a hint says so when they appear in a beta5 file)."""


def read(document: Document) -> tuple[Document, list[Diagnostic]]:
    """The normalised model of a beta5 document and every problem found in it (imports
    resolved; imported files' problems are located in them)."""
    return _read(document, resolve_imports=True)


def _read(document: Document, *, resolve_imports: bool) -> tuple[Document, list[Diagnostic]]:
    relisted, diagnostics, unnamed = relist(document)
    diagnostics += [_with_beta5_hint(d) for d in check_schema(relisted, "beta5")]
    if has_errors(diagnostics):
        return relisted, diagnostics
    normalised, found = _Normalisation(relisted, resolve_imports, unnamed).run()
    return normalised, diagnostics + found


def _read_imported(document: Document) -> tuple[Document, list[Diagnostic]]:
    """An imported file: read like a spec, but its own imports are not followed."""
    return _read(document, resolve_imports=False)


def _with_beta5_hint(diagnostic: Diagnostic) -> Diagnostic:
    """An unknown alpha2 key in a beta5 file: the hint names the beta5 spelling."""
    if diagnostic.code != "NG100" or not diagnostic.path:
        return diagnostic
    key = diagnostic.path[-1]
    if not isinstance(key, str) or key not in ALPHA2_SPELLINGS:
        return diagnostic
    hint = f"`{key}` is the alpha2 spelling; beta5 writes `{ALPHA2_SPELLINGS[key]}`"
    return dataclasses.replace(diagnostic, hint=hint)


class _Normalisation:
    """One document's sections normalised, imports resolved (or, in an imported file, left
    out: they are not followed)."""

    def __init__(self, document: Document, resolve_imports: bool, unnamed: frozenset[Path]) -> None:
        self.document = document
        self.resolve_imports = resolve_imports
        self.derivation = Derivation(document)
        self.normaliser = Normaliser(self.derivation, unnamed)
        self.importer = Importer(document, _read_imported)
        self.standalone = "capability" not in document.data
        self.diagnostics: list[Diagnostic] = []
        self.shapes: dict[str, Shape] = {
            "binds": self.normaliser.fields(),
            "consumes": self.normaliser.consumed_api,
            "exposes": self.normaliser.adapter,
            "aggregates": self.normaliser.aggregate,
        }

    def run(self) -> tuple[Document, list[Diagnostic]]:
        """The normalised document and the problems found."""
        data = self.document.data
        result: dict[str, Any] = {}
        if "info" in data:
            result["info"] = self.normaliser.entry(data["info"], ("info",), ("info",))
        capability: dict[str, Any] = {}
        for section in SECTIONS:
            for base in ((), ("capability",)):
                scope = data if not base else data.get("capability", {})
                entries = scope.get(section) if isinstance(scope, Mapping) else None
                if not isinstance(entries, list):
                    continue
                target = result if section == "binds" and not base else capability
                placed: Path = ("capability", section) if target is capability else (section,)
                self.derivation.mark(placed, (*base, section))
                target[section] = self.section(section, entries, (*base, section), placed)
        result["capability"] = capability
        self.derivation.imported.update(self.importer.imported)
        diagnostics = self.diagnostics + self.importer.diagnostics
        return self.derivation.document(result), diagnostics

    def section(self, section: str, entries: list[Any], written: Path, placed: Path) -> list[Any]:
        """The entries of one section, each normalised or (an import) resolved."""
        found: list[Any] = []
        for index, item in enumerate(entries):
            path = placed + (len(found),)
            if isinstance(item, Mapping) and "from" in item:
                entry = self.imported(section, item, written + (index,), path)
            else:
                entry = self.shapes[section](item, written + (index,), path)
            if entry is not None:
                found.append(entry)
        return found

    def imported(
        self, section: str, item: Mapping[str, Any], written: Path, path: Path
    ) -> Any | None:
        """The entry an import names, under its local namespace (``None``: not resolved)."""
        if self.standalone:
            self.diagnostics.append(
                self.document.diagnostic(
                    written + ("from",),
                    "NG213",
                    "a standalone file cannot import: its entries are the leaves of the "
                    "import graph",
                    hint="write the entry here, or import it into the capability instead",
                )
            )
            return None
        if not self.resolve_imports:
            return None
        resolved = self.importer.resolve(section, item, written)
        if resolved is None:
            return None
        source, source_path, entry = resolved
        copy = dict(entry)
        copy["namespace"] = str(item.get("as") or item.get("import"))
        mark = self.derivation.mark
        mark(path, source_path, document=source)
        mark(path + ("namespace",), written + ("as" if "as" in item else "import",))
        if "description" in item:
            copy["description"] = item["description"]
            mark(path + ("description",), written + ("description",))
        return copy
