"""Typed schemas from the upstream's OpenAPI documents (``naftiko-gen build --openapi``).

:mod:`.source` reads a file, :mod:`.refs` follows local ``$ref`` values, :mod:`.document`
lists the operations of OpenAPI 3.0/3.1 and Swagger 2.0 documents alike, :mod:`.matching`
finds the operation each consumed operation calls, :mod:`.schemas` (with :mod:`.combine`
and :mod:`.tolerance`) converts schemas to JSON Schema 2020-12, and :mod:`.enrich` puts the
results into the IR's consumed operations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from ..diagnostics import CompilationFailed, Diagnostic
from .document import Contract, read_contract


@dataclasses.dataclass(frozen=True)
class OpenApiFile:
    """One ``--openapi [NAMESPACE=]FILE`` value."""

    path: Path
    namespace: str = ""
    """The consumed API it describes (``""``: any consumed API)."""

    @classmethod
    def parse(cls, value: str) -> OpenApiFile:
        """``NAMESPACE=FILE`` or ``FILE`` (a file name with ``=`` but no namespace before it
        is a file)."""
        namespace, equals, file = value.partition("=")
        if equals and namespace and "/" not in namespace and file:
            return cls(Path(file), namespace)
        return cls(Path(value))


def read_contracts(
    files: Sequence[OpenApiFile], display: Callable[[Path], str] = str
) -> list[Contract]:
    """Read every file (``display`` names it in diagnostics); :class:`CompilationFailed`
    with all their problems at once."""
    contracts: list[Contract] = []
    problems: list[Diagnostic] = []
    for item in files:
        try:
            contracts.append(read_contract(item.path, display(item.path), item.namespace))
        except CompilationFailed as failure:
            problems.extend(failure.diagnostics)
    if problems:
        raise CompilationFailed(problems)
    return contracts
