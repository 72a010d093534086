"""Load phase: safe YAML parsing that remembers where every node came from.

The document is parsed with YAML 1.2 core-schema rules: only ``true``/``false``
are booleans and nothing becomes a date, so ``on``, ``yes`` or ``2026-05-19``
stay strings as the JSON Schema expects. Aliases are expanded with a budget
(alias bombs are refused), nesting depth and file size are capped.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import CompilationFailed, Diagnostic, Path, Severity
from .locations import display_relative

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest spec file accepted (10 MiB)."""
MAX_NODES = 1_000_000
"""Most values a document may expand to, aliases included."""
MAX_DEPTH = 100
"""Deepest nesting of mappings and sequences accepted."""
_REPORTED_DEPTH = 8
"""How much of the path of a too-deep or too-large value a diagnostic spells out."""


class _CoreResolver(yaml.resolver.BaseResolver):
    """Implicit scalar types of the YAML 1.2 core schema (no dates, no yes/no/on/off)."""


_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _Composer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _CoreResolver,
):
    """Parses a stream into a node graph; values are built by :func:`_build`."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _CoreResolver.__init__(self)


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where a value of a derived document was written: ``path`` in ``document`` (its key
    when ``key``: a name that became a map key, for instance)."""

    document: Document
    path: Path
    key: bool = False


@dataclasses.dataclass(frozen=True)
class Document:
    """A loaded spec: plain JSON-like data plus the source position of every value and key.

    A document a front-end derives from another (``naftiko_codegen.frontends``) has
    ``origins``: for some of its paths, where that value was written; a path below one of
    them is the same path below its origin. Diagnostics and positions are then those of the
    written document, so every problem is reported where the author wrote it.
    """

    file: str
    data: dict[str, Any]
    positions: dict[Path, tuple[int, int]]
    key_positions: dict[Path, tuple[int, int]]
    directory: FsPath | None = None
    """The absolute directory the spec was read from (``None`` for text loaded from memory);
    ``location`` URIs may only point inside it."""
    origins: Mapping[Path, Origin] = dataclasses.field(default_factory=dict)
    imported: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Files a front-end read to build this document (imports): path relative to
    ``directory`` (POSIX) → SHA-256 of the file."""

    def relative_name(self, target: FsPath) -> str:
        """``target`` relative to the directory the document was read from, POSIX style
        (never absolute); only for a document read from a file."""
        assert self.directory is not None
        return display_relative(target, self.directory)

    def sibling_name(self, target: FsPath) -> str:
        """How diagnostics name ``target``, a file read beside this document: its
        :meth:`relative_name` in the folder of the document's own name."""
        return os.path.join(os.path.dirname(self.file), self.relative_name(target))

    def origin(self, path: Path) -> tuple[Document, Path, bool] | None:
        """The written document, path and key flag of ``path`` (``None``: written here)."""
        if not self.origins:
            return None
        for end in range(len(path), -1, -1):
            found = self.origins.get(path[:end])
            if found is not None:
                return found.document, found.path + path[end:], found.key and end == len(path)
        return None

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``, or of its key when ``key``.

        Falls back to the nearest ancestor that has a position.
        """
        written = self.origin(path)
        if written is not None:
            document, source, is_key = written
            return document.locate(source, key=key or is_key)
        if key and path in self.key_positions:
            return self.key_positions[path]
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return (1, 1)

    def diagnostic(
        self, path: Path, code: str, message: str, *, key: bool = False, **extra: Any
    ) -> Diagnostic:
        """A diagnostic located at ``path`` (its key when ``key``), severity error unless given."""
        written = self.origin(path)
        if written is not None:
            document, source, is_key = written
            return document.diagnostic(source, code, message, key=key or is_key, **extra)
        line, column = self.locate(path, key=key)
        severity = extra.pop("severity", Severity.ERROR)
        return Diagnostic(self.file, line, column, severity, code, message, path, **extra)


def _position(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node graph into JSON-like data, recording positions."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Path, tuple[int, int]] = {}
        self.key_positions: dict[Path, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.active: set[int] = set()
        """Collection nodes being built (an alias back to one of them is a cycle)."""

    def fail(self, node: Node, path: Path, code: str, message: str, **extra: Any) -> None:
        line, column = _position(node)
        self.diagnostics.append(
            Diagnostic(self.file, line, column, Severity.ERROR, code, message, path, **extra)
        )

    def build(self, node: Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge(
                node,
                path,
                f"the document expands to more than {MAX_NODES:,} values",
                "every use of an alias (`*name`) counts its whole anchored value again",
            )
        if len(path) > MAX_DEPTH:
            raise _TooLarge(node, path, f"the document is nested deeper than {MAX_DEPTH} levels")
        self.positions.setdefault(path, _position(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.fail(node, path, "NG004", "recursive alias: a node contains itself")
            return None
        if node.tag not in _COLLECTION_TAGS:
            self.fail(
                node,
                path,
                "NG004",
                f"unsupported YAML tag {node.tag!r}",
                hint=_TAG_HINT,
            )
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
            assert isinstance(node, MappingNode)
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.fail(key_node, path, "NG004", "mapping keys must be plain strings")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(
                    key_node,
                    path,
                    "NG004",
                    "merge keys (`<<`) are not supported",
                    hint="write the keys out in full",
                )
                continue
            key = key_node.value if key_node.tag != "tag:yaml.org,2002:null" else ""
            child = path + (key,)
            if key in result:
                first = self.key_positions[child]
                self.fail(
                    key_node,
                    child,
                    "NG002",
                    f"duplicate key {key!r}; it was first defined at line {first[0]}",
                    hint="remove one of the two entries",
                )
                continue
            self.key_positions[child] = _position(key_node)
            result[key] = self.build(value_node, child)
        return result

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        tag, text = node.tag, node.value
        if tag == "tag:yaml.org,2002:str":
            return text
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() == "true"
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:int":
            if text.startswith("0o"):
                return int(text[2:], 8)
            return int(text, 0) if text.startswith("0x") else int(text)
        if tag == "tag:yaml.org,2002:float":
            lowered = text.lower().lstrip("+")
            if lowered.endswith("inf") or lowered == ".nan":
                self.fail(
                    node,
                    path,
                    "NG004",
                    f"{text!r} is not a JSON number",
                    hint="JSON has no infinity or NaN; quote the value to make it a string",
                )
                return None
            return float(text)
        self.fail(node, path, "NG004", f"unsupported YAML tag {tag!r}", hint=_TAG_HINT)
        return None


_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})
_TAG_HINT = "specs may only use plain strings, numbers, booleans, null, mappings and sequences"


class _TooLarge(Exception):
    def __init__(self, node: Node, path: Path, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.node = node
        self.path = path[:_REPORTED_DEPTH]
        self.hint = hint


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset`` in ``raw``."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def load_document(
    path: FsPath, display_name: str | None = None, *, max_bytes: int = MAX_FILE_BYTES
) -> Document:
    """Read and parse the spec at ``path`` (at most ``max_bytes`` long).

    Raises :class:`CompilationFailed` with located diagnostics when the file cannot be
    read, is not valid YAML, is not a single mapping, or exceeds the documented limits.
    """
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise _failed(name, (1, 1), "NG006", f"cannot read file: {reason}") from None
    if len(raw) > max_bytes:
        raise _failed(
            name, (1, 1), "NG005", f"file is {len(raw):,} bytes; the limit is {max_bytes:,}"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _failed(
            name,
            _line_column(raw, error.start),
            "NG006",
            f"file is not UTF-8: {error.reason}",
            found=f"byte 0x{raw[error.start]:02x}",
            expected="UTF-8 text",
        ) from None
    directory = FsPath(os.path.abspath(path)).parent.resolve()
    return dataclasses.replace(load_text(text, name), directory=directory)


def _failed(
    name: str,
    at: tuple[int, int],
    code: str,
    message: str,
    *,
    path: Path = (),
    expected: str | None = None,
    found: str | None = None,
    hint: str | None = None,
) -> CompilationFailed:
    """The failure of a file that cannot be read past one error at ``at`` (line, column)."""
    line, column = at
    diagnostic = Diagnostic(
        name, line, column, Severity.ERROR, code, message, path, expected, found, hint
    )
    return CompilationFailed([diagnostic])


def _syntax_error(name: str, error: yaml.MarkedYAMLError) -> Diagnostic:
    """NG001 at the problem's position; the context (what was being parsed) as a hint."""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or error.context or "invalid YAML"
    hint = None
    if error.context and error.problem:
        hint = error.context
        start = error.context_mark
        if start is not None:
            hint += f" that starts at line {start.line + 1}, column {start.column + 1}"
    return Diagnostic(name, line, column, Severity.ERROR, "NG001", problem, hint=hint)


def _reader_error(name: str, text: str, error: yaml.reader.ReaderError) -> Diagnostic:
    """NG001 for a character YAML does not allow (control characters such as NUL)."""
    position = min(max(error.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = error.character
    code = ord(character) if isinstance(character, str) else int(character)
    return Diagnostic(
        name,
        line,
        column,
        Severity.ERROR,
        "NG001",
        f"character U+{code:04X} is not allowed in YAML",
        hint='write it as an escape inside a double-quoted string, such as "\\0" or "\\x07"',
    )


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastComposer(CParser, _CoreResolver):
        """libyaml's parser with our resolver: the same node graph, about ten times faster."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreResolver.__init__(self)


def _compose_fast(text: str) -> Node | None:
    """Compose with libyaml when it is available and the text is plain; ``None`` means
    "use the pure-Python composer" (which also words every error message)."""
    if not yaml.__with_libyaml__ or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    composer = _FastComposer(text)
    try:
        node: Node | None = composer.get_single_node()
        return node
    except yaml.YAMLError:
        return None
    finally:
        composer.dispose()


def _compose(text: str, name: str) -> Node | None:
    """The node graph of the single document in ``text`` (``None`` when it is empty)."""
    fast = _compose_fast(text)
    if fast is not None:
        return fast
    composer: _Composer | None = None
    try:
        composer = _Composer(text)
        node: Node | None = composer.get_single_node()
        return node
    except yaml.MarkedYAMLError as error:
        raise CompilationFailed([_syntax_error(name, error)]) from None
    except yaml.reader.ReaderError as error:
        raise CompilationFailed([_reader_error(name, text, error)]) from None
    except yaml.YAMLError as error:
        raise _failed(name, (1, 1), "NG001", str(error).splitlines()[0]) from None
    except RecursionError:
        raise _failed(
            name, (1, 1), "NG005", f"the document is nested deeper than {MAX_DEPTH} levels"
        ) from None
    finally:
        if composer is not None:
            composer.dispose()


def load_text(text: str, name: str) -> Document:
    """Parse spec text; see :func:`load_document`."""
    root = _compose(text, name)
    if root is None:
        raise _failed(name, (1, 1), "NG003", "the document is empty")
    builder = _Builder(name)
    try:
        data = builder.build(root, ())
    except _TooLarge as error:
        raise _failed(
            name, _position(error.node), "NG005", str(error), path=error.path, hint=error.hint
        ) from None
    if not isinstance(data, dict):
        line, column = _position(root)
        builder.diagnostics.append(
            Diagnostic(
                name,
                line,
                column,
                Severity.ERROR,
                "NG003",
                "the document root must be a mapping",
                found="a sequence" if isinstance(data, list) else repr(data),
                expected="a mapping with `naftiko`, `info` and `capability`",
            )
        )
    if builder.diagnostics:
        raise CompilationFailed(builder.diagnostics)
    return Document(name, data, builder.positions, builder.key_positions)
