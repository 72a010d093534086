"""The list form of beta5's maps: ``tools: [{name: a, ...}]`` read as ``tools: {a: {...}}``.

Beta5 keys its tools, resources, operations, parameters, steps, flows and skills by name.
The official engine still reads the earlier form, a list of entries that each carry a
``name`` (its own test files and shared import files are written so), and so does
naftiko-gen: before the schema is checked, such a list becomes the map it stands for.

As in alpha2, an exposed REST resource or operation, or an MCP tool with a ``ref``, may go
without a name: it is keyed as :mod:`.keys` says and stays unnamed (an operation is named
after what it calls). Any other entry without a ``name`` (NG102), or a name used twice
(NG204), is reported where it is written, and the list is left as it is (the schema then
says a map is expected).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..diagnostics import Diagnostic, Path
from ..loader import Document
from .derived import Derivation
from .keys import operation_key, resource_key, unique_key

_OPERATION: dict[str, Any] = {"inputParameters": {}, "steps": {}, "outputParameters": {}}
"""What an exposed operation, tool or flow keys by name (outputs unless it has a ``call``)."""
_ENTRY: dict[str, Any] = {
    "inputParameters": {},
    "resources": {
        "inputParameters": {},
        "operations": {**_OPERATION, "outputParameters": {}},
        **_OPERATION,
    },
    "tools": _OPERATION,
    "prompts": {"arguments": {}},
    "skills": {"tools": {}},
    "flows": _OPERATION,
}
"""The maps keyed by name below a consumes, exposes or aggregates entry (a trie: each key
names a map, its value what the map's entries key by name in turn)."""
_SECTIONS = ("consumes", "exposes", "aggregates")


def relist(document: Document) -> tuple[Document, list[Diagnostic], frozenset[Path]]:
    """``document`` with every list of named entries written where beta5 wants a map turned
    into that map; the problems found on the way; the paths of entries keyed without a name."""
    relister = _Relister(document)
    data = relister.document_data()
    if not relister.changed:
        return document, relister.diagnostics, frozenset()
    return relister.derivation.document(data), relister.diagnostics, frozenset(relister.unnamed)


class _Relister:
    """One document's lists of named entries read as maps."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.derivation = Derivation(document)
        self.diagnostics: list[Diagnostic] = []
        self.unnamed: set[Path] = set()
        self.changed = False

    def document_data(self) -> dict[str, Any]:
        """The document's data with every such list read as a map."""
        data = dict(self.document.data)
        for base in ((), ("capability",)):
            scope = data if not base else data.get("capability")
            if not isinstance(scope, Mapping):
                continue
            scope = dict(scope)
            for section in _SECTIONS:
                entries = scope.get(section)
                if not isinstance(entries, list):
                    continue
                new_entries = []
                for index, entry in enumerate(entries):
                    path = (*base, section, index)
                    kind = entry.get("type") if isinstance(entry, Mapping) else None
                    new_entry = self.walk(entry, _ENTRY, path, path, kind)
                    self.changed = self.changed or new_entry is not entry
                    new_entries.append(new_entry)
                scope[section] = new_entries
            if base:
                data["capability"] = scope
            else:
                data = scope
        return data

    def walk(self, node: Any, trie: Mapping[str, Any], written: Path, path: Path, kind: Any) -> Any:
        """``node`` (at ``path`` of the new document, ``written`` in the source) with the maps
        ``trie`` names below it read from their list form; ``kind`` is the type of the entry
        it belongs to (``rest``, ``mcp``, ``http``...)."""
        if not isinstance(node, Mapping):
            return node
        result: dict[str, Any] | None = None
        for field, below in trie.items():
            value = node.get(field)
            if field == "outputParameters" and (
                "call" in node
                or not isinstance(value, list)
                or not all(isinstance(item, Mapping) and "name" in item for item in value)
            ):
                continue  # a call's (unnamed) outputs are a list in beta5 too
            converted = isinstance(value, list)
            if isinstance(value, list):
                value = self.as_map(value, field, kind, written + (field,), path + (field,))
            if not isinstance(value, Mapping):
                continue
            entries = {}
            for name, entry in value.items():
                origin = self.derivation.origins.get(path + (field, name))
                entry_written = origin.path if origin is not None else written + (field, name)
                entries[name] = self.walk(entry, below, entry_written, path + (field, name), kind)
            if converted or any(entries[k] is not value[k] for k in entries):
                result = result if result is not None else dict(node)
                result[field] = entries
        return node if result is None else result

    def as_map(self, entries: list[Any], field: str, kind: Any, written: Path, path: Path) -> Any:
        """The map a list of named entries stands for, each entry's origin recorded; the list
        itself (the problems reported) when an entry has no name or a name repeats."""
        problems: list[Diagnostic] = []
        mapped: dict[str, Any] = {}
        first: dict[str, int] = {}
        taken = {e["name"] for e in entries if isinstance(e, Mapping) and "name" in e}
        for index, entry in enumerate(entries):
            name = entry.get("name") if isinstance(entry, Mapping) else None
            key = name if isinstance(name, str) and name else self.key(entry, field, kind, taken)
            if key is None:
                problems.append(
                    self.document.diagnostic(
                        written + (index,),
                        "NG102",
                        "an entry of this list has no `name`",
                        expected="a map keyed by name (beta5), or a `name` on every entry",
                        hint="write the entries as a map: `<name>: {...}`",
                    )
                )
                continue
            if key in first:
                line, _ = self.document.locate(written + (first[key], "name"))
                problems.append(
                    self.document.diagnostic(
                        written + (index, "name"),
                        "NG204",
                        f"name {key!r} is already used at line {line}",
                        hint="names must be unique",
                    )
                )
                continue
            first[key] = index
            if key != name:
                self.unnamed.add(path + (key,))
            mapped[key] = {k: v for k, v in entry.items() if k != "name"}
            self.derivation.mark(path + (key,), written + (index,))
        self.diagnostics.extend(problems)
        return entries if problems else mapped

    @staticmethod
    def key(entry: Any, field: str, kind: Any, taken: set[str]) -> str | None:
        """The key of an entry alpha2 lets go unnamed (``None``: it needs a name)."""
        if not isinstance(entry, Mapping):
            return None
        if kind == "rest" and field == "resources":
            return unique_key(resource_key(entry), taken)
        if (kind == "rest" and field == "operations") or (
            kind == "mcp" and field == "tools" and "ref" in entry
        ):
            return unique_key(operation_key(entry), taken)
        return None
