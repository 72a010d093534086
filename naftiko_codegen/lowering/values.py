"""Spec values compiled once, at build time: a literal, or a Mustache template over the
unit's inputs and the bound variables (``{{FLYTE_API_KEY}}``, ``{{env.KEY}}``, ``{{user}}``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .. import ir
from ..diagnostics import Path
from ..mustache import TemplateSyntaxError, is_template, tokens
from .binds import Binds
from .context import Diagnostics
from .scope import Scope


@dataclasses.dataclass(eq=False)
class Values:
    """Compiles spec values into :class:`ir.ValueSource` trees."""

    diagnostics: Diagnostics
    binds: Binds

    def compile(
        self,
        value: Any,
        path: Path,
        scope: Scope | None = None,
        *,
        skip_on_error: bool = False,
    ) -> ir.ValueSource:
        """A literal, or a template over ``scope``'s inputs and the bound variables.

        An unresolvable tag is an error, or (``skip_on_error``) a warning skipping the
        operation being lowered.
        """
        if not isinstance(value, str) or not is_template(value):
            return ir.LiteralValue(value)

        def resolve(tag: str) -> ir.TemplatePart:
            secret = self.binds.resolve(tag, path)
            if secret is not None:
                return ir.SecretValue(secret)
            found = scope.find(tag) if scope is not None and scope.inputs else None
            if found is None:
                raise TemplateSyntaxError(
                    f"`{{{{{tag}}}}}` is neither a bound variable nor an input"
                )
            return ir.InputValue(found.ident)

        try:
            return compile_template(value, resolve)
        except TemplateSyntaxError as error:
            if skip_on_error:
                raise self.diagnostics.skip(path, "NG202", str(error)) from None
            self.diagnostics.report(path, "NG202", str(error))
            return ir.LiteralValue(value)


def compile_template(text: str, resolve: Callable[[str], ir.TemplatePart]) -> ir.TemplateValue:
    """``text`` as a template: its literal pieces as text, each ``{{tag}}`` as ``resolve``
    reads it (raising :class:`TemplateSyntaxError` for a tag it cannot resolve)."""
    return ir.TemplateValue(
        tuple(resolve(piece) if tag else ir.LiteralValue(piece) for tag, piece in tokens(text))
    )
