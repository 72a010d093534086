"""``naftiko-gen migrate``: an alpha2 document written as Ikanos 1.0.0-beta5, with the same
meaning (its build generates the same modules).

The document is read with ruamel.yaml's round-trip loader, so comments, key order, flow
style and quoting survive wherever beta5 keeps the node; :mod:`.migrate_tree` rewrites the
tree. The files it imports are migrated too (their paths, relative to the spec's folder, are
kept). What beta5 cannot express (a real-world form the official schema has no place for, such
as a ``description`` on a consumed parameter) is kept as written, so naftiko-gen still builds
the same package, and reported as a warning (NG217) located in the alpha2 file
(:mod:`.migrate_report`).
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path as FsPath

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .diagnostics import CompilationFailed, Diagnostic, Severity, has_errors
from .frontends import BETA5, read
from .loader import load_document
from .locations import location_problem, resolve_location
from .migrate_report import inexpressible
from .migrate_tree import Rewrite

_DOCUMENT_START = re.compile(r"\A(?:[ \t]*(?:#.*)?\n)*---[ \t]*(?:#.*)?$", re.MULTILINE)
"""A ``---`` line before the document's first node (comments and blank lines may precede it)."""
WIDTH = 1 << 20
"""Line width of the written YAML: long lines stay as long as the author wrote them."""


@dataclasses.dataclass(frozen=True)
class MigratedFile:
    """One migrated document."""

    source: FsPath
    relative: str
    """Its path relative to the migrated spec's folder (POSIX; the spec's own name for it)."""
    text: str


@dataclasses.dataclass(frozen=True)
class Migration:
    """The migrated spec (first) and the files it imports, with what could not be expressed."""

    files: tuple[MigratedFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def migrate(spec: FsPath, display_name: str | None = None) -> Migration:
    """Migrate ``spec`` and every file it imports.

    Raises :class:`CompilationFailed` when a document is not a valid alpha2 document (its
    diagnostics located in it), or is beta5 already.
    """
    files: list[MigratedFile] = []
    diagnostics: list[Diagnostic] = []
    root = FsPath(spec).resolve().parent
    pending = [(FsPath(spec), display_name or str(spec))]
    seen: set[FsPath] = set()
    while pending:
        path, name = pending.pop(0)
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        text, found, imports = _migrate_one(path, name)
        relative = path.resolve().relative_to(root).as_posix()
        files.append(MigratedFile(path, relative, text))
        diagnostics.extend(found)
        pending.extend(imports)
    return Migration(tuple(files), tuple(diagnostics))


def _migrate_one(path: FsPath, name: str) -> tuple[str, list[Diagnostic], list[tuple[FsPath, str]]]:
    """One document's beta5 text, its NG217 warnings, and the files it imports."""
    document = load_document(path, display_name=name)
    reading = read(document)
    if reading.language is BETA5:
        raise CompilationFailed(
            [document.diagnostic(("ikanos",), "NG217", "the document is beta5 already")],
            BETA5.title,
        )
    if has_errors(reading.diagnostics):
        raise CompilationFailed(reading.diagnostics, reading.language.title)
    text = path.read_text("utf-8-sig")
    yaml = _round_trip(text)
    try:
        tree = yaml.load(text)
    except YAMLError as error:  # the project's loader read it: a ruamel limitation
        raise CompilationFailed(
            [document.diagnostic((), "NG217", f"cannot round-trip this YAML: {error}")]
        ) from None
    rewrite = Rewrite()
    rewrite.document(tree)
    out = io.StringIO()
    yaml.dump(tree, out)
    migrated = _with_header(text, out.getvalue())
    found = inexpressible(migrated, rewrite.origins, document) + [
        document.diagnostic(
            where,
            "NG204",
            f"name {name!r} repeats; beta5 keys must be unique, so this entry is keyed {key!r}",
            severity=Severity.WARNING,
        )
        for where, name, key in rewrite.renamed
    ]
    return migrated, found, _imports(document.data, path, name)


def _round_trip(text: str) -> YAML:
    """A round-trip YAML reader and writer set up like ``text`` (indentation, quoting)."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    mapping, sequence, offset = guess_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.explicit_start = bool(_DOCUMENT_START.search(text))
    return yaml


_LINE = re.compile(r"^( *)(- +)?([^\s#-][^:#]*:)?(.*)$")


def guess_indent(text: str) -> tuple[int, int, int]:
    """How ``text`` indents (mapping, sequence, sequence dash offset), from its first nested
    mapping and its first block sequence (2, 2, 0 when it shows neither)."""
    mapping = sequence = offset = None
    previous: int | None = None  # where the content of the last line opening a block starts
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("---"):
            continue
        match = _LINE.match(line)
        if match is None:
            previous = None
            continue
        indent, dash, key, rest = (
            len(match.group(1)),
            match.group(2),
            match.group(3),
            match.group(4),
        )
        if previous is not None:
            parent = previous
            if dash and offset is None:
                offset = indent - parent
                sequence = offset + len(dash)
            elif not dash and key and mapping is None and indent > parent:
                mapping = indent - parent
        if mapping is not None and offset is not None:
            break
        opens = key is not None and not rest.strip()
        previous = indent + (len(dash) if dash else 0) if opens else None
    mapping = mapping or 2
    if offset is None or sequence is None:
        return mapping, mapping, 0
    return mapping, max(sequence, offset + 2), offset


def _with_header(original: str, migrated: str) -> str:
    """``migrated`` with the comment lines written before the original's ``---`` (the round
    trip drops them)."""
    match = _DOCUMENT_START.search(original)
    if match is None:
        return migrated
    header = original[: match.start() + match.group(0).index("---")]
    return migrated if migrated.startswith(header) else header + migrated


def _imports(data: object, path: FsPath, name: str) -> list[tuple[FsPath, str]]:
    """The local files the document's imported consumes name (display names beside it)."""
    found: list[tuple[FsPath, str]] = []
    if not isinstance(data, dict):
        return found
    for scope in (data, data.get("capability") or {}):
        entries = scope.get("consumes") if isinstance(scope, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            location = entry.get("location") if isinstance(entry, dict) else None
            if not isinstance(location, str) or "namespace" in entry:
                continue
            directory = path.resolve().parent
            if location_problem(location, directory) is not None:
                continue  # reported when the migrated spec is built
            target = resolve_location(location, directory)
            if target.is_file():
                relative = target.relative_to(directory).as_posix()
                found.append((target, str(FsPath(name).parent / relative)))
    return found
