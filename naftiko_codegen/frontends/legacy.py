"""The list form of beta5's maps: ``tools: [{name: a, ...}]`` read as ``tools: {a: {...}}``.

Beta5 keys its tools, resources, operations, parameters, steps, flows and skills by name.
The official engine still reads the earlier form, a list of entries that each carry a
``name`` (its own test files and shared import files are written so), and so does
naftiko-gen: before the schema is checked, such a list becomes the map it stands for. An
entry without a ``name`` (NG102) or a name used twice (NG204) is reported where it is
written, and the list is left as it is (the schema then says a map is expected).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..diagnostics import Diagnostic, Path
from ..loader import Document
from .derived import Derivation

_OPERATION: dict[str, Any] = {"inputParameters": {}, "steps": {}, "outputParameters": {}}
"""What an exposed operation, tool or flow keys by name (outputs unless it has a ``call``)."""
_CONSUMED_OPERATION: dict[str, Any] = {"inputParameters": {}, "outputParameters": {}}
_ENTRY = {
    "inputParameters": {},
    "resources": {
        "inputParameters": {},
        "operations": {**_CONSUMED_OPERATION, **_OPERATION},
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


def relist(document: Document) -> tuple[Document, list[Diagnostic]]:
    """``document`` with every list of named entries written where beta5 wants a map turned
    into that map; the problems found on the way."""
    derivation = Derivation(document)
    diagnostics: list[Diagnostic] = []
    data = dict(document.data)
    changed = False
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
                new_entry = _walk(entry, _ENTRY, path, path, document, derivation, diagnostics)
                changed = changed or new_entry is not entry
                new_entries.append(new_entry)
            scope[section] = new_entries
        if base:
            data["capability"] = scope
        else:
            data = scope
    if not changed:
        return document, diagnostics
    return derivation.document(data), diagnostics


def _walk(
    node: Any,
    trie: Mapping[str, Any],
    written: Path,
    path: Path,
    document: Document,
    derivation: Derivation,
    diagnostics: list[Diagnostic],
) -> Any:
    """``node`` (at ``path`` of the new document, ``written`` in the source) with the maps
    ``trie`` names below it read from their list form."""
    if not isinstance(node, Mapping):
        return node
    result: dict[str, Any] | None = None
    for field, below in trie.items():
        value = node.get(field)
        if field == "outputParameters" and "call" in node:
            continue  # a call's outputs are a list in beta5 too
        converted = isinstance(value, list)
        if isinstance(value, list):
            value, problems = _as_map(
                value, written + (field,), path + (field,), document, derivation
            )
            diagnostics.extend(problems)
        if not isinstance(value, Mapping):
            continue
        entries = {}
        for name, entry in value.items():
            source = derivation.origins.get(path + (field, name))
            entry_written = source.path if source is not None else written + (field, name)
            new = _walk(
                entry, below, entry_written, path + (field, name), document, derivation, diagnostics
            )
            entries[name] = new
        if converted or any(entries[k] is not value[k] for k in entries):
            result = result if result is not None else dict(node)
            result[field] = entries
    return node if result is None else result


def _as_map(
    entries: list[Any], written: Path, path: Path, document: Document, derivation: Derivation
) -> tuple[Any, list[Diagnostic]]:
    """The map a list of named entries stands for, each entry's origin recorded; the list
    itself, with the problems, when an entry has no name or a name repeats."""
    problems: list[Diagnostic] = []
    mapped: dict[str, Any] = {}
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name:
            problems.append(
                document.diagnostic(
                    written + (index,),
                    "NG102",
                    "an entry of this list has no `name`",
                    expected="a map keyed by name (beta5), or a `name` on every entry",
                    hint="write the entries as a map: `<name>: {...}`",
                )
            )
            continue
        if name in first:
            line, _ = document.locate(written + (first[name], "name"))
            problems.append(
                document.diagnostic(
                    written + (index, "name"),
                    "NG204",
                    f"name {name!r} is already used at line {line}",
                    hint="names must be unique",
                )
            )
            continue
        first[name] = index
        mapped[name] = {key: value for key, value in entry.items() if key != "name"}
        derivation.mark(path + (name,), written + (index,))
    return (entries if problems else mapped), problems
