"""Bound variables: what ``binds`` declare, which the spec references, and how a template
tag names one (``{{VAR}}`` or ``{{namespace.VAR}}``)."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..diagnostics import Path
from ..locations import parse_location
from ..mustache import TemplateSyntaxError, tokens
from .context import Diagnostics


class Binds:
    """The variables the spec binds, and the ones its templates reference."""

    def __init__(self, diagnostics: Diagnostics, data: Any) -> None:
        self.diagnostics = diagnostics
        self.data = data
        self.variables: dict[str, ir.BoundVariable] = {}
        self.namespaces: dict[str, set[str]] = {}
        self.referenced: set[str] = set()

    def collect(self) -> None:
        """Gather bound variables from the root and capability ``binds``."""
        for base, binds in self.sections():
            for index, bind in enumerate(binds):
                path = base + (index,)
                location = bind.get("location")
                if location is not None:  # checked by the semantic checks: a local file
                    location = parse_location(str(location)).canonical()
                self.namespaces[bind["namespace"]] = set(bind.get("keys", {}))
                for name, source_key in sorted(bind.get("keys", {}).items()):
                    if name in self.variables:
                        self.diagnostics.report(
                            path + ("keys", name),
                            "NG204",
                            f"variable {name!r} is bound twice",
                            key=True,
                        )
                        continue
                    self.variables[name] = ir.BoundVariable(name, source_key, location, False)

    def sections(self) -> list[tuple[Path, list[Any]]]:
        """The root ``binds`` and ``capability.binds``, each with its path."""
        return [
            (("binds",), self.data.get("binds", [])),
            (("capability", "binds"), self.data.get("capability", {}).get("binds", [])),
        ]

    def resolve(self, name: str, path: Path, *, quiet: bool = False) -> str | None:
        """The bound variable a template name refers to (``VAR`` or ``namespace.VAR``).

        ``quiet`` only answers the question, recording nothing.
        """
        namespace, _, variable = name.rpartition(".")
        if quiet:
            known = namespace in self.namespaces if namespace else name in self.variables
            return (variable or name) if known else None
        if namespace and namespace in self.namespaces:
            if variable not in self.variables:
                self.diagnostics.warn(
                    path,
                    "NG209",
                    f"`{{{{{name}}}}}` refers to {variable!r}, which no bind declares",
                    hint=f"it will be read from the environment variable {variable}; "
                    f"declare it under the `{namespace}` bind to document it",
                )
                self.variables[variable] = ir.BoundVariable(variable, variable, None, True)
            self.referenced.add(variable)
            return variable
        if not namespace and name in self.variables:
            self.referenced.add(name)
            return name
        return None

    def only_secrets(self, template: str, path: Path) -> bool:
        """True when every tag of ``template`` names a bound variable."""
        try:
            return all(
                not is_variable or self.resolve(text, path, quiet=True) is not None
                for is_variable, text in tokens(template)
            )
        except TemplateSyntaxError:
            return True  # reported when compiled

    def report_unused(self, *, imports_failed: bool) -> None:
        """Warn about bound variables nothing references (they stay optional at run time).

        Nothing is reported when an import failed: its API may be what references them.
        """
        if imports_failed:
            return
        for base, binds in self.sections():
            for index, bind in enumerate(binds):
                for name in bind.get("keys", {}):
                    if name not in self.referenced:
                        self.diagnostics.warn(
                            base + (index, "keys", name),
                            "NG210",
                            f"bound variable {name!r} is never referenced",
                            key=True,
                            hint="it is optional at run time; remove it or reference it as "
                            f"`{{{{{name}}}}}`",
                        )

    def lowered(self) -> tuple[ir.BoundVariable, ...]:
        """Every bound variable, each marked referenced (required at start-up) or not."""
        return tuple(
            ir.BoundVariable(v.name, v.source_key, v.location, v.name in self.referenced)
            for v in self.variables.values()
        )
