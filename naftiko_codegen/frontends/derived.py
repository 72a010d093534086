"""Documents derived from other documents, remembering where each part was written.

A front-end rewrites what an author wrote (a map keyed by name becomes a list of named
entries, ``display`` becomes ``label``, an imported entry is copied in); every diagnostic the
rest of the compiler raises on the result must still name the file, line and JSON path the
author wrote. :class:`Derivation` records, while the new data is built, where each rewritten
node came from (:class:`~naftiko_codegen.loader.Origin`); a path below a recorded one is the
same path below its origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..diagnostics import Path
from ..loader import Document, Origin


class Derivation:
    """The origins of a document being derived from ``source``."""

    def __init__(self, source: Document) -> None:
        self.source = source
        self.origins: dict[Path, Origin] = {(): Origin(source, ())}
        self.imported: dict[str, str] = dict(source.imported)

    def mark(
        self, path: Path, written: Path, *, key: bool = False, document: Document | None = None
    ) -> None:
        """The value at ``path`` is the one written at ``written`` (its key when ``key``) in
        ``document`` (the source unless given)."""
        origin = Origin(document or self.source, written, key)
        if path in self.origins and self.origins[path] == origin:
            return
        self.origins[path] = origin

    def document(self, data: dict[str, Any]) -> Document:
        """The derived document (the source's file name and directory)."""
        return Document(
            self.source.file,
            data,
            {},
            {},
            self.source.directory,
            origins=self.origins,
            imported=self.imported,
        )


def at(data: Any, path: Path) -> Any:
    """The value at ``path`` in ``data`` (``None`` when the path leads nowhere)."""
    node = data
    for part in path:
        if isinstance(node, Mapping) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node
