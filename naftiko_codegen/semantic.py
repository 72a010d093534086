"""Semantic checks the JSON Schema cannot express: unique names, ports, routes and locations.

Checks that need references resolved (``call`` targets, ``with`` values, placeholders,
bound variables) run during lowering, where the resolution happens once.

Every ``location`` that names a file the generated package or the generator reads (a bind's
``location``, an imported ``consumes``) must be a local ``file://`` URI inside the spec's own
directory tree: no other scheme, no remote host, no ``..`` or symbolic link leading out of
it (NG212). naftiko-gen never fetches anything over the network.
"""

from __future__ import annotations

import os
import posixpath
import re
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path as FsPath
from typing import Any

from . import names
from .diagnostics import Diagnostic, Path
from .loader import Document

_PLACEHOLDER = re.compile(r"\{\{?[^{}]+\}?\}")
_LOCAL_HOSTS = {"", "localhost"}


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
    for index, adapter in enumerate(exposes):
        if not isinstance(adapter, dict):
            continue
        path = base + ("exposes", index)
        if adapter.get("type") == "rest":
            found += _check_rest(document, adapter, path)
        elif adapter.get("type") == "mcp":
            tools = _named(_mappings(adapter.get("tools")), path + ("tools",), "name")
            found += _duplicates(document, tools, "tool name")
            found += _identifier_collisions(document, tools, "tool")
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


def _check_rest(document: Document, adapter: dict[str, Any], path: Path) -> list[Diagnostic]:
    """Routes that collide, and operation names that collide as Python functions."""
    seen: dict[str, tuple[Path, str]] = {}
    found: list[Diagnostic] = []
    operations: list[tuple[Path, str]] = []
    for r_index, resource in enumerate(_mappings(adapter.get("resources"))):
        if not isinstance(resource, dict):
            continue
        raw_path = str(resource.get("path", ""))
        shape = _PLACEHOLDER.sub("{}", raw_path).rstrip("/") or "/"
        for o_index, operation in enumerate(_mappings(resource.get("operations"))):
            if not isinstance(operation, dict):
                continue
            o_path = path + ("resources", r_index, "operations", o_index)
            method = str(operation.get("method", "GET")).upper()
            route = f"{method} {raw_path}"
            if f"{method} {shape}" in seen:
                first_path, first_route = seen[f"{method} {shape}"]
                line, _ = document.locate(first_path)
                found.append(
                    document.diagnostic(
                        o_path,
                        "NG206",
                        f"route `{route}` collides with `{first_route}` at line {line}",
                        hint="two operations with the same method and path shape cannot both "
                        "be reached",
                    )
                )
            else:
                seen[f"{method} {shape}"] = (o_path, route)
            if isinstance(operation.get("name"), str):
                operations.append((o_path + ("name",), operation["name"]))
    found += _identifier_collisions(document, operations, "operation")
    return found


def _namespace_keys(name: str) -> tuple[str, ...]:
    """Every name generated from a namespace: identifier, class name, environment variable."""
    return (names.identifier(name, reserved=False), names.class_name(name))


def _identifier_keys(name: str) -> tuple[str, ...]:
    return (names.identifier(name),)


def _identifier_collisions(
    document: Document,
    items: list[tuple[Path, str]],
    what: str,
    keys: Callable[[str], tuple[str, ...]] = _identifier_keys,
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


def location_problem(location: Any, directory: FsPath | None) -> tuple[str, str] | None:
    """Why ``location`` may not be used (message, hint), or ``None`` when it is safe.

    Accepted: ``file://`` followed by a path relative to the spec's directory
    (``file://./secrets.json``, ``file://config/keys.yaml``), or ``file:///absolute/path``
    (``file://localhost/absolute/path``) naming a file inside that directory. The path is
    percent-decoded, ``..`` and symbolic links are resolved, and the result must stay inside
    the directory. Without a directory (a spec read from memory), only relative paths that do
    not climb out with ``..`` are accepted.
    """
    if not isinstance(location, str):
        return None
    try:
        parts = urllib.parse.urlsplit(location)
    except ValueError as error:
        return (f"the location is not a valid URI: {error}", "write `file://./name.json`")
    if parts.scheme.lower() != "file":
        scheme = parts.scheme or "no scheme"
        return (
            f"location uses {scheme!r}: naftiko-gen only reads local files and never fetches "
            "anything over the network",
            "copy the file next to the spec and refer to it with `file://`",
        )
    if parts.query or parts.fragment:
        return (
            "a file location cannot have a query (`?`) or fragment (`#`)",
            "percent-encode `?` as %3F and `#` as %23 in file names",
        )
    rest = location.split("://", 1)[1] if "://" in location else location[len("file:") :]
    host, slash, _ = rest.partition("/")
    if rest.startswith("/") or (slash and host.lower() == "localhost"):
        relative = False
        raw_path = rest if rest.startswith("/") else rest[len(host) :]
    else:
        relative = True
        raw_path = rest
    decoded = urllib.parse.unquote(raw_path)
    if "\x00" in decoded or not decoded.strip("/"):
        return ("the location does not name a file", "write `file://./name.json`")
    outside = (
        "the location leads outside the spec's directory",
        "locations may only name files in the spec's directory or below it",
    )
    if directory is None:
        if not relative:
            return outside
        normal = posixpath.normpath(decoded)
        if normal.startswith("/") or normal == ".." or normal.startswith("../"):
            return outside
        return None
    try:
        target = FsPath(os.path.join(directory, decoded) if relative else decoded).resolve()
    except (OSError, RuntimeError, ValueError):
        return outside
    if target == directory or directory not in target.parents:
        return outside
    return None
