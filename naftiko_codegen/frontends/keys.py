"""The map key of an entry that alpha2 (or beta5's list form) leaves unnamed.

Beta5 keys exposed REST resources and operations, and MCP tools, by name; alpha2 lets a
resource or an operation go without one (an operation is then named after the operation it
calls, a ``ref`` after its function, a mock ``mock``) and a tool that only has a ``ref``
takes its function's. These are the keys such an entry gets, in the official kebab-case
form (``[a-zA-Z0-9-]+``) wherever the name they come from allows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import names

_NOT_KEBAB = re.compile(r"[^a-zA-Z0-9]+")


def resource_key(resource: Mapping[str, Any]) -> str:
    """An exposed resource's key: its path in kebab-case (``/v1/ships/{imo}`` →
    ``v1-ships-imo``), ``root`` for ``/``."""
    return _NOT_KEBAB.sub("-", str(resource.get("path") or "")).strip("-") or "root"


def operation_key(operation: Mapping[str, Any]) -> str:
    """An exposed operation's (or tool's) key: the name the lowering gives it unnamed."""
    for field in ("call", "ref"):
        target = operation.get(field)
        if isinstance(target, str) and "." in target:
            return target.split(".", 1)[1]
    return "mock"


def unique_key(key: str, taken: set[str]) -> str:
    """``key``, or ``key-2``, ``key-3``… the first not in ``taken`` (which it is added to)."""
    return names.unique(key, taken, separator="-")
