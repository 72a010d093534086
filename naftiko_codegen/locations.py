"""The one reader of ``location`` values: which local file a location names, and whether it
may be used.

A spec names files (bound secrets, imported consumes, MCP file resources and prompts, skill
folders, scripts) in any of the forms real files use (``docs/semantics.md``, "Locations"):

* ``file://./shared/x.yaml`` and ``file://shared/x.yaml``: relative to the spec's folder;
* ``file:///./shared/x.yaml``: the same (the official tutorial writes locations so);
* ``./shared/x.yaml`` or ``shared/x.yaml``, a bare path: the same;
* ``file:///abs/x.yaml`` and ``file://localhost/abs/x.yaml``: absolute.

Whatever the form, the file must lie inside the spec's folder tree; other schemes and remote
hosts are refused, and nothing is ever fetched over the network.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import urllib.parse
from pathlib import Path

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclasses.dataclass(frozen=True)
class LocalPath:
    """A location read as a local path: relative to the spec's folder, or absolute."""

    path: str
    relative: bool

    def canonical(self) -> str:
        """The ``file://`` form generated code reads (``file://./x`` or ``file:///abs``)."""
        if self.relative:
            return "file://./" + urllib.parse.quote(posixpath.normpath(self.path))
        return "file://" + urllib.parse.quote(self.path)


class LocationError(ValueError):
    """A location that names no usable local file: ``message`` says why, ``hint`` what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_location(location: str) -> LocalPath:
    """The local path ``location`` names; :class:`LocationError` for any other kind of URI."""
    match = _SCHEME.match(location)
    if match is None:
        raw, relative = location, not location.startswith("/")
    else:
        if match.group(1).lower() != "file":
            raise LocationError(
                f"location uses {match.group(1)!r}: naftiko-gen only reads local files and "
                "never fetches anything over the network",
                "copy the file next to the spec and refer to it with `file://`",
            )
        try:
            parts = urllib.parse.urlsplit(location)
        except ValueError as error:
            raise LocationError(
                f"the location is not a valid URI: {error}", "write `file://./name.json`"
            ) from None
        if parts.query or parts.fragment:
            raise LocationError(
                "a file location cannot have a query (`?`) or fragment (`#`)",
                "percent-encode `?` as %3F and `#` as %23 in file names",
            )
        raw, relative = _file_uri_path(location[len("file:") :])
        raw = urllib.parse.unquote(raw)
    if "\x00" in raw or not raw.strip("/").strip("."):
        raise LocationError("the location does not name a file", "write `file://./name.json`")
    return LocalPath(raw, relative)


def _file_uri_path(rest: str) -> tuple[str, bool]:
    """The path of a ``file:`` URI after its scheme, and whether it is relative."""
    if not rest.startswith("//"):
        return rest, not rest.startswith("/")
    rest = rest[2:]
    if rest.startswith("/"):
        if rest.startswith(("/./", "/../")):
            return rest[1:], True  # file:///./x: the official tutorial's relative form
        return rest, False
    host, slash, tail = rest.partition("/")
    if slash and host.lower() == "localhost":
        return "/" + tail, False
    return rest, True


def location_problem(location: object, directory: Path | None) -> tuple[str, str] | None:
    """Why ``location`` may not be used (message, hint), or ``None`` when it is safe.

    The path is resolved (``..`` and symbolic links followed) and must stay inside
    ``directory``. Without a directory (a spec read from memory), only relative paths that do
    not climb out with ``..`` are accepted.
    """
    if not isinstance(location, str):
        return None
    try:
        local = parse_location(location)
    except LocationError as error:
        return (error.message, error.hint)
    outside = (
        "the location leads outside the spec's directory",
        "locations may only name files in the spec's directory or below it",
    )
    if directory is None:
        normal = posixpath.normpath(local.path)
        if not local.relative or normal == ".." or normal.startswith("../"):
            return outside
        return None
    try:
        target = _target(local, directory)
    except (OSError, RuntimeError, ValueError):
        return outside
    if target == directory or directory not in target.parents:
        return outside
    return None


def resolve_location(location: str, directory: Path) -> Path:
    """The file ``location`` names (check it with :func:`location_problem` first)."""
    return _target(parse_location(location), directory)


def _target(local: LocalPath, directory: Path) -> Path:
    return Path(os.path.join(directory, local.path) if local.relative else local.path).resolve()


def display_relative(target: Path, root: Path) -> str:
    """``target`` relative to ``root``, POSIX style; its bare name when it is not below it
    (never an absolute path: messages and generated files name it)."""
    try:
        return target.relative_to(root).as_posix()
    except ValueError:
        return target.name
