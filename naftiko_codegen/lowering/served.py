"""What the REST and skills adapters take from their spec the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from .. import ir
from ..diagnostics import Path
from .auth import Authentication


class Served(TypedDict):
    """The fields :class:`ir.RestAdapter` and :class:`ir.SkillAdapter` share."""

    namespace: str
    key: str
    module: str
    port: int
    description: str
    authentication: ir.Authentication | None


def served(spec: Mapping[str, Any], path: Path, key: str, authentication: Authentication) -> Served:
    """The shared fields of the adapter written at ``path`` (its module is named ``key``)."""
    return Served(
        namespace=spec["namespace"],
        key=key,
        module=key,
        port=int(spec["port"]),
        description=str(spec.get("description") or ""),
        authentication=authentication.exposed(spec, path),
    )
