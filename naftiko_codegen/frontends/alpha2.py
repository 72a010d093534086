"""The front-end of the alpha2 dialect (``naftiko: 1.0.0-alpha2``): the document already has
the normalised model's shape, so reading it is checking it against
``schemas/naftiko-capability.schema.json`` (the official alpha2 schema plus the accepted
real-world forms)."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..loader import Document
from ..schema_check import check_schema


def read(document: Document) -> tuple[Document, list[Diagnostic]]:
    """The document itself and its schema problems, every one located."""
    return document, check_schema(document, "alpha2")
