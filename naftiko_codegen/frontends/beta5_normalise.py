"""Beta5 in the shape the rest of the compiler reads (``docs/semantics.md``, "Ikanos
1.0.0-beta5").

The normalised model is the one the alpha2 front-end produces: lists of named entries where
beta5 has maps keyed by name (``tools: {get-ship: {...}}`` → ``tools: [{name: get-ship,
...}]``), ``label`` for ``display``, aggregate ``functions`` for ``flows``, ``targetName``
for a mapping's ``target``. Fields alpha2 lacks (``tags``, ``ttlMs``, ``cacheScope``,
``maxBinarySize``, ``responses``, ``responseBinary``, ``binary``, ``outputMediaType``,
``tunnel``) are kept under their own names, so each feature is lowered once whatever the
input language. Every rewritten node records where it was written (:mod:`.derived`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..diagnostics import Path
from .derived import Derivation

Shape = Callable[[Any, Path, Path], Any]
"""Normalises the value written at a path (second argument) for a new path (third)."""

RENAMED = {"display": "label"}
"""Beta5 field names whose alpha2 name the rest of the compiler reads."""


class Normaliser:
    """Turns one schema-valid beta5 document (or standalone file) into the normalised model."""

    def __init__(self, derivation: Derivation, unnamed: frozenset[Path] = frozenset()) -> None:
        self.derivation = derivation
        self.unnamed = unnamed
        """Entries keyed without a name (the list form lets some go unnamed): no ``name``."""

    # ----------------------------------------------------------------- building blocks

    def entry(
        self,
        value: Any,
        written: Path,
        path: Path,
        fields: Mapping[str, Shape] | None = None,
        *,
        name: str | None = None,
        renamed: Mapping[str, str] = RENAMED,
    ) -> Any:
        """An object with its ``renamed`` fields renamed and ``fields`` normalised by their
        shape; ``name`` (a map key) becomes its ``name`` field."""
        if not isinstance(value, Mapping):
            return value
        mark = self.derivation.mark
        mark(path, written)
        result: dict[str, Any] = {}
        if name is not None:
            result["name"] = name
            mark(path + ("name",), written, key=True)
        for key, child in value.items():
            new_key = renamed.get(key, key)
            if new_key != key:
                mark(path + (new_key,), written + (key,))
            shape = (fields or {}).get(key)
            result[new_key] = (
                child if shape is None else shape(child, written + (key,), path + (new_key,))
            )
        return result

    def named(self, shape: Shape | None = None, **fields: Shape) -> Shape:
        """A map keyed by name, as a list of named entries (each normalised by ``shape``, or as
        an :meth:`entry` with ``fields``)."""

        def normalise(value: Any, written: Path, path: Path) -> Any:
            if not isinstance(value, Mapping):
                return value
            self.derivation.mark(path, written)
            return [
                self._named_entry(child, key, written + (key,), path + (index,), shape, fields)
                for index, (key, child) in enumerate(value.items())
            ]

        return normalise

    def _named_entry(
        self,
        child: Any,
        key: str,
        written: Path,
        path: Path,
        shape: Shape | None,
        fields: Mapping[str, Shape],
    ) -> Any:
        """One entry of a map keyed by name, with the key as its ``name``."""
        name = None if written in self.unnamed else key
        if shape is None:
            return self.entry(child, written, path, fields, name=name)
        result = shape(child, written, path)
        if isinstance(result, dict) and name is not None:
            result = {"name": name, **result}
            self.derivation.mark(path + ("name",), written, key=True)
        return result

    def each(self, shape: Shape) -> Shape:
        """A list, each item normalised by ``shape``."""

        def normalise(value: Any, written: Path, path: Path) -> Any:
            if not isinstance(value, list):
                return value
            self.derivation.mark(path, written)
            return [shape(item, written + (i,), path + (i,)) for i, item in enumerate(value)]

        return normalise

    def fields(self, **fields: Shape) -> Shape:
        """An object whose ``fields`` are normalised by their shape (``display`` renamed)."""
        return lambda value, written, path: self.entry(value, written, path, fields)

    # ----------------------------------------------------------------- the constructs

    def outputs(self, value: Any, written: Path, path: Path) -> Any:
        """``outputParameters``: a call's list stays; a map of named (mock or orchestrated)
        outputs becomes a list of named outputs, an orchestrated array's ``items`` map too."""
        if isinstance(value, list):
            return value
        return self.named(self.orchestrated)(value, written, path)

    def orchestrated(self, value: Any, written: Path, path: Path) -> Any:
        """One orchestrated output; its ``items`` (a map in beta5) as a list of named items."""
        return self.entry(value, written, path, {"items": self.named(self.orchestrated)})

    def mappings(self, value: Any, written: Path, path: Path) -> Any:
        """Step output mappings: ``target`` is read as ``targetName``."""
        renamed = {"target": "targetName"}
        return self.each(lambda v, w, p: self.entry(v, w, p, renamed=renamed))(value, written, path)

    def operation_fields(self) -> dict[str, Shape]:
        """The fields an exposed operation, MCP tool or resource, or aggregate flow shares."""
        return {
            "inputParameters": self.named(),
            "steps": self.named(),
            "outputParameters": self.outputs,
            "mappings": self.mappings,
        }

    def consumed_api(self, value: Any, written: Path, path: Path) -> Any:
        """A consumed HTTP API: parameters, resources and operations as named lists."""
        operation = self.named(inputParameters=self.named(), outputParameters=self.named())
        resource = self.named(inputParameters=self.named(), operations=operation)
        return self.entry(
            value, written, path, {"inputParameters": self.named(), "resources": resource}
        )

    def adapter(self, value: Any, written: Path, path: Path) -> Any:
        """An exposed adapter (REST, MCP, skill, control)."""
        kind = value.get("type") if isinstance(value, Mapping) else None
        operation = self.operation_fields()
        if kind == "rest":
            resource = self.named(inputParameters=self.named(), operations=self.named(**operation))
            return self.entry(value, written, path, {"resources": resource})
        if kind == "mcp":
            prompt = self.named(arguments=self.named())
            return self.entry(
                value,
                written,
                path,
                {
                    "tools": self.named(**operation),
                    "resources": self.named(**operation),
                    "prompts": prompt,
                },
            )
        if kind == "skill":
            skill = self.named(tools=self.named())
            return self.entry(value, written, path, {"skills": skill})
        return self.entry(value, written, path)

    def aggregate(self, value: Any, written: Path, path: Path) -> Any:
        """An aggregate: its ``flows`` map as the ``functions`` list the lowering reads."""
        flows = self.named(**self.operation_fields())
        return self.entry(
            value, written, path, {"flows": flows}, renamed={**RENAMED, "flows": "functions"}
        )
