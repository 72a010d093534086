"""The front-ends: one per language, each turning a loaded document into the one normalised
model that everything after it reads (DESIGN.md §1, §2b).

The language is chosen by the document's root key: ``naftiko:`` is the alpha2 dialect
(``1.0.0-alpha2``, and ``1.0.0-alpha1`` read as alpha2), ``ikanos:`` the current official
language, Ikanos ``1.0.0-beta5``. A document with neither is read as alpha2 (the schema then
says what is missing). Each front-end checks the document against its own schema (the
official one plus the accepted real-world forms), reports every problem located in the file
the author wrote, and returns the normalised model: the alpha2 shape, with beta5's new
fields kept under their own names. Later diagnostics on the model are located through it
(:class:`~naftiko_codegen.loader.Origin`).
"""

from __future__ import annotations

import dataclasses

from ..diagnostics import Diagnostic
from ..loader import Document
from . import alpha2, beta5


@dataclasses.dataclass(frozen=True)
class Language:
    """A language the compiler reads."""

    name: str
    """``alpha2`` or ``beta5`` (also the name of its schema dialect)."""
    root_key: str
    title: str
    """How the command line names it (``Ikanos 1.0.0-beta5``)."""


ALPHA2 = Language("alpha2", "naftiko", "Naftiko 1.0.0-alpha2")
BETA5 = Language("beta5", "ikanos", "Ikanos 1.0.0-beta5")


def language_of(document: Document) -> Language:
    """The language ``document`` is written in, by its root key."""
    return BETA5 if "ikanos" in document.data else ALPHA2


@dataclasses.dataclass(frozen=True)
class Reading:
    """What a front-end made of a document."""

    language: Language
    document: Document
    """The normalised model (the document itself for alpha2)."""
    diagnostics: list[Diagnostic]
    """The schema's problems, then the front-end's (imports); all located where written."""


def read(document: Document) -> Reading:
    """Read ``document`` with the front-end of its language."""
    language = language_of(document)
    normalised, diagnostics = (beta5 if language is BETA5 else alpha2).read(document)
    return Reading(language, normalised, diagnostics)
