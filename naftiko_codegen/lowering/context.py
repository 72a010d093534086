"""The one diagnostics sink of the lowering phase.

Every collaborator of the lowering (binds, consumed APIs, calls, bodies, outputs, steps,
adapters) reports through one :class:`Diagnostics`; it locates each problem in the document
being lowered, which is the spec itself or, inside an imported ``consumes``, the file that
writes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

from ..diagnostics import Diagnostic, Path, Severity
from ..loader import Document


class SkipOperation(Exception):
    """Raised while lowering one exposed operation to skip it (its diagnostic is reported)."""


class Diagnostics:
    """Collects located diagnostics; knows which document locations refer to."""

    def __init__(self, document: Document) -> None:
        self.document = document
        """The document paths are located in (see :meth:`located_in`)."""
        self.found: list[Diagnostic] = []

    def report(self, path: Path, code: str, message: str, **extra: Any) -> None:
        """Record a diagnostic (an error unless ``severity`` says otherwise) at ``path``."""
        self.found.append(self.document.diagnostic(path, code, message, **extra))

    def warn(self, path: Path, code: str, message: str, **extra: Any) -> None:
        """Record a warning at ``path``."""
        self.report(path, code, message, severity=Severity.WARNING, **extra)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Record diagnostics located elsewhere (an imported file's own problems)."""
        self.found.extend(diagnostics)

    def skip(self, path: Path, code: str, message: str, **extra: Any) -> SkipOperation:
        """Record a warning that the operation at ``path`` is skipped; return the exception
        that skips it (``raise diagnostics.skip(...)``)."""
        self.warn(path, code, message + "; the operation is skipped", **extra)
        return SkipOperation()

    def fail(self, path: Path, code: str, message: str, **extra: Any) -> NoReturn:
        """Record an error at ``path`` and stop lowering the operation."""
        self.report(path, code, message, **{k: v for k, v in extra.items() if v is not None})
        raise SkipOperation()

    @contextlib.contextmanager
    def located_in(self, document: Document | None) -> Iterator[None]:
        """Locate the diagnostics reported inside the block in ``document`` (an imported
        file); ``None`` keeps the current one."""
        saved = self.document
        self.document = document or saved
        try:
            yield
        finally:
            self.document = saved
