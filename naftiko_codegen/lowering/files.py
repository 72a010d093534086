"""Build-time reading of the local files MCP resources and prompts name with ``location``.

Files are read once, by the generator, and embedded in the generated package: the package
never reads the spec's folder at run time. Only local files inside the spec's directory
are read (the same rule as every other ``location``, see :mod:`naftiko_codegen.semantic`);
a directory is walked recursively in a deterministic (sorted) order, hidden entries are
skipped, and no file or symbolic link may lead outside the declared location.
"""

from __future__ import annotations

import base64
import dataclasses
import mimetypes
import os
import urllib.parse
from pathlib import Path

from .. import locations
from ..locations import location_problem

MAX_FILE_BYTES = 1024 * 1024
"""The largest file a resource or prompt may embed (1 MiB)."""
MAX_TOTAL_BYTES = 16 * 1024 * 1024
"""The most one ``location`` may embed in all (16 MiB)."""
MAX_FILES = 1000
"""The most files one directory ``location`` may serve."""

_KNOWN_TYPES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".json": "application/json",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".xml": "application/xml",
    ".html": "text/html",
}
"""Types fixed here so that the guess does not depend on the Python version."""
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
_BINARY_TYPES = {
    "application/octet-stream",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-tar",
}
_MIME = mimetypes.MimeTypes()
"""Python's built-in table only: the machine's ``mime.types`` never changes the output."""


class FileProblem(Exception):
    """A location that cannot be embedded: diagnostic ``code``, message and hint."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


@dataclasses.dataclass(frozen=True)
class EmbeddedFile:
    """One file read at build time: where it sits below the location, and its bytes."""

    relative: str
    """POSIX path below a directory location (``""`` when the location is the file)."""
    data: bytes

    def mime_type(self, declared: str | None) -> str:
        """The declared type, else one guessed from the file name and content."""
        if declared:
            return declared
        name = self.relative or "file"
        suffix = os.path.splitext(name)[1].lower()
        guessed = _KNOWN_TYPES.get(suffix) or _MIME.guess_type(name, strict=False)[0]
        if guessed:
            return guessed
        return "text/plain" if self.text() is not None else "application/octet-stream"

    def text(self) -> str | None:
        """The content as text (UTF-8 without NUL characters), else ``None``."""
        if b"\x00" in self.data:
            return None
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def contents(self, declared: str | None) -> dict[str, str]:
        """``{"mimeType": ..., "text": ...}`` or ``{"mimeType": ..., "blob": base64}``."""
        mime = self.mime_type(declared)
        text = self.text()
        essence = mime.split(";", 1)[0].strip().lower()
        binary = essence.startswith(_BINARY_PREFIXES) and not essence.endswith("+xml")
        if text is None or binary or essence in _BINARY_TYPES:
            return {"mimeType": mime, "blob": base64.b64encode(self.data).decode("ascii")}
        return {"mimeType": mime, "text": text}


def file_uri(base: str, relative: str) -> str:
    """The URI of a file below a directory resource: ``base/percent-encoded/segments``."""
    if not relative:
        return base
    segments = "/".join(urllib.parse.quote(part, safe="") for part in relative.split("/"))
    return base.rstrip("/") + "/" + segments


def resolve_location(location: str, directory: Path | None) -> Path:
    """The local path a location names, inside the spec's directory."""
    problem = location_problem(location, directory)
    if problem is not None:
        raise FileProblem("NG212", problem[0], problem[1])
    if directory is None:
        raise FileProblem(
            "NG212",
            "file locations can only be read from a spec loaded from a file",
            "build the spec from its file so that relative locations have a folder",
        )
    return locations.resolve_location(location, directory)


def read_location(location: str, directory: Path | None, *, allow_dir: bool) -> list[EmbeddedFile]:
    """Every file ``location`` names (one for a file), sorted by relative path.

    Raises :class:`FileProblem`: NG212 outside the spec's directory or escaping the
    location through a link, NG006 missing or unreadable, NG005 over the size limits.
    """
    root = resolve_location(location, directory)
    if root.is_file():
        return [EmbeddedFile("", _read(root, location))]
    if not root.exists():
        raise FileProblem("NG006", f"{location} does not exist", "check the path and its case")
    if not root.is_dir():
        raise FileProblem("NG006", f"{location} is neither a file nor a directory")
    if not allow_dir:
        raise FileProblem("NG006", f"{location} is a directory; a prompt needs one file")
    found: list[EmbeddedFile] = []
    total = 0
    for path in _walk(root):
        real = _inside(root, path, location, "remove the link or copy the file into the folder")
        if len(found) == MAX_FILES:
            raise FileProblem("NG005", f"{location} holds more than {MAX_FILES} files")
        data = _read(real, location)
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise FileProblem(
                "NG005", f"the files of {location} exceed {MAX_TOTAL_BYTES} bytes in all"
            )
        found.append(EmbeddedFile(path.relative_to(root).as_posix(), data))
    if not found:
        raise FileProblem("NG006", f"{location} holds no files")
    return found


def _inside(root: Path, path: Path, outside: str, hint: str) -> Path:
    """``path`` resolved; NG212 when a link leads it outside ``root`` (named ``outside``)."""
    real = path.resolve()
    if root not in real.parents:
        raise FileProblem(
            "NG212", f"{path.relative_to(root).as_posix()!r} leads outside {outside}", hint
        )
    return real


def _walk(root: Path) -> list[Path]:
    """Regular files below ``root`` (links followed), hidden entries skipped, sorted."""
    files: list[Path] = []
    pending = [root]
    seen = {root}
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            raise FileProblem("NG006", f"cannot list {folder.name!r}: {error.strerror}") from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_dir():
                hint = "remove the link or copy the folder into the location"
                real = _inside(root, path, "the location", hint)
                if real not in seen:  # a link back into the tree is walked once
                    seen.add(real)
                    pending.append(path)
            elif entry.is_file():
                files.append(path)
    return sorted(files, key=lambda path: path.relative_to(root).as_posix())


def _read(path: Path, location: str) -> bytes:
    """The bytes of ``path``, refusing files over :data:`MAX_FILE_BYTES`."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise FileProblem("NG006", f"cannot read {path.name!r}: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(
            "NG005",
            f"{path.name!r} under {location} is larger than {MAX_FILE_BYTES} bytes",
            "serve large files from an upstream API with `call` instead",
        )
    return data
