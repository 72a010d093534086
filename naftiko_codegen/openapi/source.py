"""One OpenAPI file read from disk: JSON or YAML, its data, and where each value is written.

JSON files are parsed with :mod:`json` (fast on multi-megabyte contracts) and located
lazily: only when a diagnostic must say ``file:line:col`` is the text parsed again with the
position-recording loader. YAML files go through that loader at once (YAML 1.2 core rules,
the same limits as specs, except the file size).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path as FsPath
from typing import Any

from ..diagnostics import CompilationFailed, Diagnostic, Path, Severity
from ..loader import Document, load_document, load_text

MAX_OPENAPI_BYTES = 64 * 1024 * 1024
"""Largest OpenAPI file read (64 MiB: real contracts reach tens of megabytes)."""


@dataclasses.dataclass
class SourceFile:
    """The data of one file and, on demand, the position of every value in it."""

    name: str
    """The file as diagnostics show it."""
    path: FsPath
    data: Any
    _document: Document | None = None
    _text: str | None = None

    def locate(self, path: Path) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path`` (its nearest located ancestor)."""
        if self._document is None:
            try:
                self._document = load_text(self._text or "", self.name)
            except CompilationFailed:
                return (1, 1)
        return self._document.locate(path)

    def diagnostic(
        self, path: Path, code: str, message: str, *, severity: Severity, **extra: Any
    ) -> Diagnostic:
        """A diagnostic located at ``path`` in this file."""
        line, column = self.locate(path)
        return Diagnostic(self.name, line, column, severity, code, message, path, **extra)


def read_source(path: FsPath, name: str) -> SourceFile:
    """Read ``path`` (JSON or YAML); :class:`CompilationFailed` with a located diagnostic
    when it cannot be read or parsed."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CompilationFailed([_error(name, "NG006", f"cannot read file: {reason}")]) from None
    if len(raw) > MAX_OPENAPI_BYTES:
        message = f"file is {len(raw):,} bytes; the limit is {MAX_OPENAPI_BYTES:,}"
        raise CompilationFailed([_error(name, "NG005", message)])
    text = raw.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("{"):
        try:
            return SourceFile(name, path, json.loads(text), _text=text)
        except RecursionError:
            message = "the document is nested too deeply to be read"
            raise CompilationFailed([_error(name, "NG005", message)]) from None
        except ValueError:
            pass  # not strict JSON: the YAML loader says where the problem is
    document = load_document(path, display_name=name, max_bytes=MAX_OPENAPI_BYTES)
    return SourceFile(name, path, document.data, _document=document)


def _error(name: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(name, 1, 1, Severity.ERROR, code, message)
