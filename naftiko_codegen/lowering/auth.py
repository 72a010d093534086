"""``authentication`` blocks: the credentials a consumed API is called with, and the ones an
exposed adapter demands (an unsupported scheme is an error, never an open adapter)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import ir
from ..diagnostics import Path
from .context import Diagnostics
from .oauth2 import lower_oauth2, oauth2_problems
from .values import Values

CONSUMED_SCHEMES = ("bearer", "apikey", "basic", "digest")
EXPOSED_SCHEMES = ("bearer", "apikey", "basic", "digest", "oauth2")


@dataclasses.dataclass(eq=False)
class Authentication:
    """Lowers ``authentication`` blocks, their values compiled as templates."""

    diagnostics: Diagnostics
    values: Values

    def consumed(self, spec: Mapping[str, Any] | None, path: Path) -> ir.Authentication | None:
        """A consumed API's credentials (every scheme but oauth2)."""
        return self.lower(spec, path, CONSUMED_SCHEMES)

    def exposed(self, adapter: Mapping[str, Any], path: Path) -> ir.Authentication | None:
        """The credentials the adapter written at ``path`` demands (its ``authentication``
        block; ``None``: open)."""
        block = adapter.get("authentication")
        return self.lower(block, path + ("authentication",), EXPOSED_SCHEMES, exposed=True)

    def lower(
        self,
        spec: Mapping[str, Any] | None,
        path: Path,
        supported: tuple[str, ...],
        *,
        exposed: bool = False,
    ) -> ir.Authentication | None:
        """An ``authentication`` block with its values compiled; other schemes are errors."""
        if spec is None:
            return None
        kind = spec.get("type")
        if kind not in supported:
            side = "an exposed adapter" if exposed else "a consumed API"
            self.diagnostics.report(
                path + ("type",),
                "NG211",
                f"`{kind}` authentication on {side} is not generated yet",
                expected=", ".join(supported),
                hint=(
                    "the adapter would be left unprotected, so the build stops" if exposed else None
                ),
            )
            return None
        if kind == "oauth2":
            problems = oauth2_problems(spec)
            for field, message in problems:
                self.diagnostics.report(path + (field,), "NG211", message)
            return None if problems else ir.Authentication(type=kind, oauth2=lower_oauth2(spec))

        def value(field: str) -> ir.ValueSource | None:
            if field not in spec:
                return None
            return self.values.compile(spec[field], path + (field,))

        return ir.Authentication(
            type=kind,
            token=value("token") or value("value"),
            key=str(spec.get("key") or "Authorization"),
            placement=spec.get("placement", "header"),
            username=value("username"),
            password=value("password"),
        )
