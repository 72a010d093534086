"""Semantic checks the JSON Schema cannot express: unique names, ports and routes.

Checks that need references resolved (``call`` targets, ``with`` values, placeholders,
bound variables) run during lowering, where the resolution happens once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import names
from .diagnostics import Diagnostic, Path
from .loader import Document

_PLACEHOLDER = re.compile(r"\{\{?[^{}]+\}?\}")


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


def check_semantics(document: Document) -> list[Diagnostic]:
    """Every document-wide problem at once (the document is schema-valid)."""
    capability: dict[str, Any] = document.data.get("capability", {})
    consumes = capability.get("consumes", [])
    exposes = capability.get("exposes", [])
    base: Path = ("capability",)
    found: list[Diagnostic] = []
    found += _duplicates(
        document,
        [
            (base + ("consumes", i, "namespace"), c["namespace"])
            for i, c in enumerate(consumes)
            if "namespace" in c
        ],
        "consumed namespace",
    )
    found += _duplicates(
        document,
        [(base + ("exposes", i, "namespace"), e["namespace"]) for i, e in enumerate(exposes)],
        "adapter namespace",
    )
    ports = [
        (base + ("exposes", i, "port"), str(e["port"]))
        for i, e in enumerate(exposes)
        if "port" in e
    ]
    for diagnostic in _duplicates(document, ports, "port"):
        found.append(
            document.diagnostic(
                diagnostic.path,
                "NG205",
                diagnostic.message.replace("is already used", "is already used by the adapter"),
                hint="give each adapter its own port",
            )
        )
    for index, adapter in enumerate(exposes):
        path = base + ("exposes", index)
        if adapter.get("type") == "rest":
            found += _check_rest(document, adapter, path)
        elif adapter.get("type") == "mcp":
            tools = adapter.get("tools", [])
            found += _duplicates(
                document,
                [(path + ("tools", i, "name"), t["name"]) for i, t in enumerate(tools) if "name" in t],
                "tool name",
            )
            found += _identifier_collisions(
                document,
                [(path + ("tools", i, "name"), t["name"]) for i, t in enumerate(tools) if "name" in t],
                "tool",
            )
    return found


def _check_rest(document: Document, adapter: dict[str, Any], path: Path) -> list[Diagnostic]:
    """Routes that collide, and operation names that collide as Python functions."""
    routes: list[tuple[Path, str]] = []
    operations: list[tuple[Path, str]] = []
    for r_index, resource in enumerate(adapter.get("resources", [])):
        shape = _PLACEHOLDER.sub("{}", str(resource.get("path", ""))).rstrip("/") or "/"
        for o_index, operation in enumerate(resource.get("operations", [])):
            o_path = path + ("resources", r_index, "operations", o_index)
            method = str(operation.get("method", "GET")).upper()
            routes.append((o_path, f"{method} {shape}"))
            if "name" in operation:
                operations.append((o_path + ("name",), operation["name"]))
    found = [
        document.diagnostic(
            d.path,
            "NG206",
            d.message,
            hint="two operations with the same method and path shape cannot both be reached",
        )
        for d in _duplicates(document, routes, "route")
    ]
    found += _identifier_collisions(document, operations, "operation")
    return found


def _identifier_collisions(
    document: Document, items: list[tuple[Path, str]], what: str
) -> list[Diagnostic]:
    """Distinct names that become the same Python identifier."""
    seen: dict[str, tuple[Path, str]] = {}
    found: list[Diagnostic] = []
    for path, name in items:
        key = names.identifier(name)
        if key in seen and seen[key][1] != name:
            line, _ = document.locate(seen[key][0])
            found.append(
                document.diagnostic(
                    path,
                    "NG208",
                    f"{what} {name!r} and {seen[key][1]!r} (line {line}) both become the "
                    f"Python name `{key}`",
                    hint="rename one of them",
                )
            )
        seen.setdefault(key, (path, name))
    return found
