"""The runtime modules (:mod:`naftiko_codegen.runtime`) a generated package gets.

The templates write their ``from .<module> import ...`` lines through one
:class:`PackageImports` per package, naming only what they use; it finds the runtime
module that defines each name and records it. The package then gets the recorded modules
and, in turn, the runtime modules those import: nothing its spec does not use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from .pylayout import from_import

RUNTIME = Path(__file__).parent / "runtime"
"""The folder of the runtime modules, copied verbatim into generated packages."""

_DEFINITION = re.compile(r"^(?:async def|def|class) ([A-Za-z]\w*)|^([A-Za-z]\w*)(?:: .+)? = ", re.M)
_RELATIVE_IMPORT = re.compile(r"^from \.(\w+) import", re.M)
_TRIPLE_QUOTED = re.compile(r'"""[\s\S]*?"""')
"""Docstrings and code held in strings, left out when looking for definitions (a regular
expression over the source is a tenth of the time ``ast`` takes on a cold build)."""


@functools.cache
def modules() -> tuple[str, ...]:
    """The names of the runtime modules, sorted."""
    return tuple(sorted(path.stem for path in RUNTIME.glob("*.py") if path.stem != "__init__"))


@functools.cache
def source(module: str) -> str:
    """The text of a runtime module, as it is copied."""
    return (RUNTIME / f"{module}.py").read_text(encoding="utf-8")


@functools.cache
def definitions() -> dict[str, str]:
    """Every public top-level name of the runtime modules, with the module defining it."""
    found: dict[str, str] = {}
    for module in modules():
        for match in _DEFINITION.finditer(_TRIPLE_QUOTED.sub("", source(module))):
            name = match.group(1) or match.group(2)
            if name in found:
                raise ValueError(f"runtime modules {found[name]} and {module} both define {name}")
            found[name] = module
    return found


def requires(module: str) -> frozenset[str]:
    """The runtime modules ``module`` imports."""
    return frozenset(_RELATIVE_IMPORT.findall(source(module)))


def closure(used: Iterable[str]) -> list[str]:
    """``used`` and every runtime module they import, directly or not, sorted."""
    pending, found = list(used), set()
    while pending:
        module = pending.pop()
        if module not in found:
            found.add(module)
            pending.extend(requires(module))
    return sorted(found)


def _import_order(name: str) -> tuple[int, str]:
    """isort's order within one import: constants, classes, then everything else."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


class PackageImports:
    """The local imports of one package's generated modules, and the runtime modules they
    make it need."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def lines(self, runtime: Iterable[str] = (), **generated: Iterable[str]) -> str:
        """The ``from .<module> import ...`` lines of one generated module, by module name:
        ``runtime`` names, each from the runtime module defining it, and by keyword the
        names it imports from the package's generated modules (``config=["Settings"]``)."""
        by_module: dict[str, set[str]] = {}
        for name in runtime:
            module = definitions()[name]
            self.used.add(module)
            by_module.setdefault(module, set()).add(name)
        for module, names in generated.items():
            by_module.setdefault(module, set()).update(names)
        return "\n".join(
            from_import("." + module, sorted(names, key=_import_order))
            for module, names in sorted(by_module.items())
            if names
        )

    def copied(self) -> list[str]:
        """The runtime modules the package needs: those imported, and what they import."""
        return closure(self.used)
