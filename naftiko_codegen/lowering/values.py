"""Spec values compiled once, at build time: a literal, or a Mustache template over the
unit's inputs and the bound variables (``{{FLYTE_API_KEY}}``, ``{{env.KEY}}``, ``{{user}}``).
"""

from __future__ import annotations

from typing import Any

from .. import ir
from ..diagnostics import Path
from ..mustache import TemplateSyntaxError, is_template, tokens
from .binds import Binds
from .context import Diagnostics
from .scope import Scope


class Values:
    """Compiles spec values into :class:`ir.ValueSource` trees."""

    def __init__(self, diagnostics: Diagnostics, binds: Binds) -> None:
        self.diagnostics = diagnostics
        self.binds = binds

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
        parts: list[ir.TemplatePart] = []
        try:
            for is_variable, text in tokens(value):
                if not is_variable:
                    parts.append(ir.TextPart(text))
                    continue
                secret = self.binds.resolve(text, path)
                if secret is not None:
                    parts.append(ir.SecretPart(secret))
                    continue
                found = scope.find(text) if scope is not None and scope.inputs else None
                if found is None:
                    raise TemplateSyntaxError(
                        f"`{{{{{text}}}}}` is neither a bound variable nor an input"
                    )
                parts.append(ir.InputPart(found.ident))
        except TemplateSyntaxError as error:
            if skip_on_error:
                raise self.diagnostics.skip(path, "NG202", str(error)) from None
            self.diagnostics.report(path, "NG202", str(error))
            return ir.LiteralValue(value)
        return ir.TemplateValue(tuple(parts))
