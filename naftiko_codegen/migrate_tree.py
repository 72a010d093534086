"""The rules of ``naftiko-gen migrate``: an alpha2 document's round-trip tree (ruamel.yaml)
rewritten, in place where it can be, as the Ikanos 1.0.0-beta5 document with the same meaning
(``docs/semantics.md``, "Migrating alpha2 to beta5").

Lists of named entries become maps keyed by name (the entry keeps its comments, key order and
quoting; its ``name`` becomes the key), ``label`` becomes ``display``, aggregate
``functions`` become ``flows``, a mapping's ``targetName`` its ``target``, an imported consumes'
``location`` its ``from``, and ``naftiko:`` becomes ``ikanos: 1.0.0-beta5``. An entry alpha2
lets go unnamed is keyed as :mod:`.frontends.keys` says. Every rewritten node remembers where
it was written in the alpha2 file (:attr:`Rewrite.origins`), so that whatever beta5 cannot
express is reported there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from .diagnostics import Path
from .frontends.keys import operation_key, resource_key, unique_key
from .locations import LocationError, parse_location

BETA5 = "1.0.0-beta5"
RENAMED = {"label": "display"}

KeyOf = Callable[[Any], str | None]
"""The key of an entry that has no ``name`` (``None``: it needs one)."""
Rule = Callable[[Any, Path, Path], Any]
"""Rewrites the node written at an alpha2 path (second argument) for a beta5 path (third)."""


def rename(node: CommentedMap, old: str, new: str, value: Any = None) -> None:
    """Rename key ``old`` of ``node`` to ``new`` where it stands, its comments kept (and its
    value replaced by ``value`` when given)."""
    position = list(node).index(old)
    current = node.pop(old)
    comment = node.ca.items.pop(old, None)
    node.insert(position, new, current if value is None else value)
    if comment is not None:
        node.ca.items[new] = comment


def like(original: Any, text: str) -> Any:
    """``text`` quoted as ``original`` was (double, single or plain)."""
    if isinstance(original, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(text)
    if isinstance(original, SingleQuotedScalarString):
        return SingleQuotedScalarString(text)
    return text


class Rewrite:
    """Rewrites one alpha2 tree as beta5."""

    def __init__(self) -> None:
        self.renamed: list[tuple[Path, str, str]] = []
        """(alpha2 path, name, key) of every entry keyed apart from a namesake."""
        self.origins: dict[Path, Path] = {}
        """beta5 path → alpha2 path, for every node whose path changed."""

    # ----------------------------------------------------------------- building blocks

    def entry(
        self, node: Any, written: Path, path: Path, fields: Mapping[str, Rule] | None = None
    ) -> Any:
        """An object with ``label`` renamed ``display`` and ``fields`` rewritten by their rule."""
        if not isinstance(node, CommentedMap):
            return node
        self.origins[path] = written
        for key in list(node):
            new_key = RENAMED.get(key, key)
            rule = (fields or {}).get(key)
            if rule is not None:
                node[key] = rule(node[key], written + (key,), path + (new_key,))
            if new_key != key and new_key not in node:
                rename(node, key, new_key)
                self.origins[path + (new_key,)] = written + (key,)
        return node

    def named(self, key_of: KeyOf | None = None, /, **fields: Rule) -> Rule:
        """A list of named entries as a map keyed by name; ``key_of`` keys an entry that has
        no ``name`` (``None``: the list stays, and the schema check reports it)."""

        def rewrite(node: Any, written: Path, path: Path) -> Any:
            if not isinstance(node, CommentedSeq):
                return node
            named = [e.get("name") if isinstance(e, CommentedMap) else None for e in node]
            taken = {str(name) for name in named if isinstance(name, str)}
            keys: list[str] = []
            for index, (item, name) in enumerate(zip(node, named, strict=True)):
                key = name if isinstance(name, str) else (key_of(item) if key_of else None)
                if key is None:
                    return node  # unnamed where beta5 needs a name: kept as a list
                if not isinstance(name, str):
                    key = unique_key(key, taken)
                elif str(name) in keys:
                    key = unique_key(str(name), taken)
                    self.renamed.append((written + (index, "name"), str(name), key))
                keys.append(str(key))
            result = CommentedMap()
            if node.ca.comment:
                result.ca.comment = node.ca.comment
            if node.fa.flow_style():
                result.fa.set_flow_style()
            self.origins[path] = written
            for index, (key, item) in enumerate(zip(keys, node, strict=True)):
                comment = None
                if isinstance(item, CommentedMap) and "name" in item:
                    comment = item.ca.items.pop("name", None)
                    del item["name"]
                result[key] = self.entry(item, written + (index,), path + (key,), fields)
                if comment is not None and comment[2] is not None:
                    result.ca.items[key] = [None, None, comment[2], None]
                self.origins[path + (key,)] = written + (index,)
            return result

        return rewrite

    def each(self, rule: Rule) -> Rule:
        """A list whose items are rewritten by ``rule``."""

        def rewrite(node: Any, written: Path, path: Path) -> Any:
            if isinstance(node, CommentedSeq):
                for index, item in enumerate(node):
                    node[index] = rule(item, written + (index,), path + (index,))
            return node

        return rewrite

    # ----------------------------------------------------------------- the constructs

    def document(self, root: CommentedMap) -> CommentedMap:
        """The whole document (a capability, or alpha2's standalone consumes)."""
        if "naftiko" in root:
            rename(root, "naftiko", "ikanos", like(root["naftiko"], BETA5))
            self.origins[("ikanos",)] = ("naftiko",)
        self.entry(root.get("info"), ("info",), ("info",))
        rules = {
            "consumes": self.consumed_api,
            "exposes": self.adapter,
            "aggregates": self.aggregate,
        }
        for base in ((), ("capability",)):
            scope = root if not base else root.get("capability")
            if not isinstance(scope, CommentedMap):
                continue
            for section, rule in rules.items():
                if section in scope:
                    scope[section] = self.each(rule)(
                        scope[section], (*base, section), (*base, section)
                    )
        return root

    def consumed_api(self, node: Any, written: Path, path: Path) -> Any:
        """A consumed API, or an imported one (``location`` becomes ``from``)."""
        if isinstance(node, CommentedMap) and "location" in node and "namespace" not in node:
            location = node["location"]
            rename(node, "location", "from", like(location, import_path(str(location))))
            self.origins[path + ("from",)] = written + ("location",)
            return node
        operation = self.named(inputParameters=self.named(), outputParameters=self.named())
        resource = self.named(inputParameters=self.named(), operations=operation)
        return self.entry(
            node, written, path, {"inputParameters": self.named(), "resources": resource}
        )

    def operation_fields(self) -> dict[str, Rule]:
        """What an exposed operation, MCP tool or resource, or aggregate function rewrites."""
        return {
            "inputParameters": self.named(),
            "steps": self.named(),
            "mappings": self.each(self.mapping),
            "outputParameters": self.outputs,
        }

    def adapter(self, node: Any, written: Path, path: Path) -> Any:
        """An exposed adapter."""
        kind = node.get("type") if isinstance(node, CommentedMap) else None
        fields = self.operation_fields()
        if kind == "rest":
            operations = self.named(operation_key, **fields)
            resources = self.named(
                resource_key, inputParameters=self.named(), operations=operations
            )
            return self.entry(node, written, path, {"resources": resources})
        if kind == "mcp":
            return self.entry(
                node,
                written,
                path,
                {
                    "tools": self.named(self.tool_key, **fields),
                    "resources": self.named(**fields),
                    "prompts": self.named(arguments=self.named()),
                },
            )
        if kind == "skill":
            return self.entry(node, written, path, {"skills": self.named(tools=self.named())})
        return self.entry(node, written, path)

    def aggregate(self, node: Any, written: Path, path: Path) -> Any:
        """An aggregate: its ``functions`` list becomes the ``flows`` map."""
        if not isinstance(node, CommentedMap):
            return node
        self.entry(node, written, path)
        if "functions" in node:
            node["functions"] = self.named(**self.operation_fields())(
                node["functions"], written + ("functions",), path + ("flows",)
            )
            rename(node, "functions", "flows")
        return node

    def tool_key(self, tool: Any) -> str | None:
        """An MCP tool without a name: the name of the function it takes over."""
        return operation_key(tool) if isinstance(tool, Mapping) and "ref" in tool else None

    def outputs(self, node: Any, written: Path, path: Path) -> Any:
        """Named (mock or orchestrated) outputs become a map; a call's stay a list."""
        if not isinstance(node, CommentedSeq) or not all(
            isinstance(item, CommentedMap) and isinstance(item.get("name"), str) for item in node
        ):
            return node
        return self.named(items=self.outputs)(node, written, path)

    def mapping(self, node: Any, written: Path, path: Path) -> Any:
        """A step output mapping: ``targetName`` becomes ``target``."""
        if isinstance(node, CommentedMap) and "targetName" in node:
            rename(node, "targetName", "target")
            self.origins[path + ("target",)] = written + ("targetName",)
        return node


def import_path(location: str) -> str:
    """An alpha2 import ``location`` as the plain path beta5's ``from`` takes
    (``file://./shared/x.yaml`` → ``./shared/x.yaml``)."""
    try:
        local = parse_location(location)
    except LocationError:
        return location
    if not local.relative:
        return local.path
    return local.path if local.path.startswith(("./", "../")) else "./" + local.path
