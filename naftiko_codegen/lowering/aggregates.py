"""Aggregate functions: reusable units an operation or tool takes over with ``ref``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..diagnostics import Path
from .context import Diagnostics, SkipOperation


class Aggregates:
    """The spec's aggregate functions, by ``namespace.name``."""

    def __init__(self, diagnostics: Diagnostics, data: Any) -> None:
        self.diagnostics = diagnostics
        self.functions: dict[str, Mapping[str, Any]] = {}
        for aggregate in data.get("capability", {}).get("aggregates", []):
            for function in aggregate.get("functions", []):
                self.functions[f"{aggregate['namespace']}.{function['name']}"] = function

    @property
    def namespaces(self) -> set[str]:
        """The aggregates' namespaces (a ``with`` reference may use them as its prefix)."""
        return {name.split(".", 1)[0] for name in self.functions}

    def resolve(self, spec: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
        """The operation or tool with its ``ref``'d function merged in.

        Fields the adapter writes override the function's; an unknown ``ref`` is an error.
        """
        if "ref" not in spec:
            return spec
        function = self.functions.get(str(spec["ref"]))
        if function is None:
            known = ", ".join(sorted(self.functions)) or "none"
            self.diagnostics.report(
                path + ("ref",),
                "NG200",
                f"`ref: {spec['ref']}` names no aggregate function",
                expected=f"one of: {known}",
            )
            raise SkipOperation()
        merged = {key: value for key, value in function.items() if key != "semantics"}
        merged.update({key: value for key, value in spec.items() if key != "ref"})
        if "semantics" in function:
            merged["semantics"] = function["semantics"]
        return merged
