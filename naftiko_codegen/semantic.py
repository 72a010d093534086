"""Semantic checks the JSON Schema cannot express: unique names, ports, routes and locations.

Checks that need references resolved (``call`` targets, ``with`` values, placeholders,
bound variables) run during lowering, where the resolution happens once.

Every ``location`` that names a file the generated package or the generator reads (a bind's
``location``, an imported ``consumes``) must be a local ``file://`` URI inside the spec's own
directory tree: no other scheme, no remote host, no ``..`` or symbolic link leading out of
it (NG212). naftiko-gen never fetches anything over the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from . import names
from .diagnostics import Diagnostic, Path, Severity
from .loader import Document
from .locations import location_problem


def _duplicates(
    document: Document, items: Iterable[tuple[Path, str]], what: str, *, fold: bool = False
) -> list[Diagnostic]:
    """One NG204 diagnostic for every name that repeats an earlier one."""
    seen: dict[str, Path] = {}
    found: list[Diagnostic] = []
    for path, name in items:
        key = name.lower() if fold else name
        if key in seen:
            line, _ = document.locate(seen[key])
            found.append(
                document.diagnostic(
                    path,
                    "NG204",
                    f"{what} {name!r} is already used at line {line}",
                    hint="names must be unique",
                )
            )
        else:
            seen[key] = path
    return found


def _named(items: list[Any], base: Path, key: str) -> list[tuple[Path, str]]:
    """``(path of items[i][key], value)`` for each mapping in ``items`` with a string ``key``."""
    return [
        (base + (index, key), item[key])
        for index, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get(key), str)
    ]


def _mappings(value: Any) -> list[Any]:
    """``value`` when it is a sequence (of anything), else an empty list."""
    return value if isinstance(value, list) else []


def check_semantics(document: Document) -> list[Diagnostic]:
    """Every document-wide problem at once (the document is schema-valid)."""
    data = document.data
    capability = data.get("capability")
    if not isinstance(capability, dict):
        capability = {}
    consumes = _mappings(capability.get("consumes"))
    exposes = _mappings(capability.get("exposes"))
    base: Path = ("capability",)
    found: list[Diagnostic] = []
    found += _check_locations(document)
    namespaces = _named(consumes, base + ("consumes",), "namespace")
    found += _duplicates(document, namespaces, "consumed namespace")
    found += _identifier_collisions(document, namespaces, "consumed namespace", _namespace_keys)
    adapters = _named(exposes, base + ("exposes",), "namespace")
    found += _duplicates(document, adapters, "adapter namespace")
    for kind in ("rest", "mcp"):
        same_kind = [
            (base + ("exposes", index, "namespace"), adapter["namespace"])
            for index, adapter in enumerate(exposes)
            if isinstance(adapter, dict)
            and adapter.get("type") == kind
            and isinstance(adapter.get("namespace"), str)
        ]
        found += _identifier_collisions(
            document, same_kind, f"{kind.upper()} adapter namespace", _namespace_keys, "module"
        )
    found += _port_collisions(document, exposes, base + ("exposes",))
    found += _empty_lists(document, consumes, exposes)
    for index, adapter in enumerate(exposes):
        if not isinstance(adapter, dict):
            continue
        path = base + ("exposes", index)
        if adapter.get("type") == "mcp":
            tools = _named(_mappings(adapter.get("tools")), path + ("tools",), "name")
            found += _duplicates(document, tools, "tool name")
    return found


_CONTENTS = {
    "http": ("resources",),
    "rest": ("resources",),
    "mcp": ("tools", "resources", "prompts"),
}
"""What each kind of adapter holds; one with none of it compiles, with a warning."""


def _empty_lists(document: Document, consumes: list[Any], exposes: list[Any]) -> list[Diagnostic]:
    """A warning for every consumed API or adapter that declares nothing to call or serve
    (real files carry such placeholders: ``resources: []``)."""
    found: list[Diagnostic] = []
    for section, entries in (("consumes", consumes), ("exposes", exposes)):
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or "location" in entry:
                continue
            fields = _CONTENTS.get(str(entry.get("type")), ())
            if fields and not any(entry.get(field) for field in fields):
                what = "consumes" if section == "consumes" else "exposes"
                found.append(
                    document.diagnostic(
                        ("capability", section, index, fields[0]),
                        "NG104",
                        f"`{entry.get('namespace', entry.get('type'))}` {what} nothing",
                        severity=Severity.WARNING,
                        hint=f"add {' or '.join(f'`{f}`' for f in fields)}, or remove it",
                    )
                )
    return found


def _port_collisions(document: Document, exposes: list[Any], base: Path) -> list[Diagnostic]:
    """NG205 for every adapter that listens on a port an earlier adapter already uses."""
    seen: dict[int, int] = {}
    found: list[Diagnostic] = []
    for index, adapter in enumerate(exposes):
        port = adapter.get("port") if isinstance(adapter, dict) else None
        if not isinstance(port, int) or isinstance(port, bool):
            continue
        if port not in seen:
            seen[port] = index
            continue
        first = exposes[seen[port]]
        line, _ = document.locate(base + (seen[port], "port"))
        owner = f"adapter `{first['namespace']}`" if "namespace" in first else "the adapter"
        found.append(
            document.diagnostic(
                base + (index, "port"),
                "NG205",
                f"port {port} is already used by {owner} at line {line}",
                hint="give each adapter its own port",
            )
        )
    return found


def _namespace_keys(name: str) -> tuple[str, ...]:
    """Every name generated from a namespace: identifier, class name, environment variable."""
    return (names.identifier(name), names.class_name(name), names.constant_name(name))


def _identifier_collisions(
    document: Document,
    items: list[tuple[Path, str]],
    what: str,
    keys: Callable[[str], tuple[str, ...]],
    kind: str = "Python",
) -> list[Diagnostic]:
    """NG208 for distinct names that become the same generated name (both sources named)."""
    seen: dict[str, tuple[Path, str]] = {}
    found: list[Diagnostic] = []
    for path, name in items:
        for key in keys(name):
            if key in seen and seen[key][1] != name:
                line, _ = document.locate(seen[key][0])
                found.append(
                    document.diagnostic(
                        path,
                        "NG208",
                        f"{what} {name!r} and {seen[key][1]!r} (line {line}) both become the "
                        f"{kind} name `{key}`",
                        hint="rename one of them",
                    )
                )
                break
        for key in keys(name):
            seen.setdefault(key, (path, name))
    return found


# --------------------------------------------------------------------------- locations


def _check_locations(document: Document) -> list[Diagnostic]:
    """NG212 for every bind or imported-consumes ``location`` that is not a safe local file."""
    found: list[Diagnostic] = []
    data = document.data
    capability = data.get("capability")
    scopes: list[tuple[Path, Any]] = [((), data)]
    if isinstance(capability, dict):
        scopes.append((("capability",), capability))
    for base, scope in scopes:
        for section in ("binds", "consumes"):
            for index, entry in enumerate(_mappings(scope.get(section))):
                if not isinstance(entry, dict) or "location" not in entry:
                    continue
                location = entry["location"]
                problem = location_problem(location, document.directory)
                if problem is None:
                    continue
                message, hint = problem
                found.append(
                    document.diagnostic(
                        base + (section, index, "location"),
                        "NG212",
                        message,
                        found=f"`{location}`",
                        expected="a `file://` URI of a file inside the spec's directory, "
                        "such as `file://./secrets.json`",
                        hint=hint,
                    )
                )
    return found
