"""Which OpenAPI operation a consumed operation calls: the same method and path template.

Paths are compared segment by segment after putting the consumed API's base URI in front
of the consumed path and a server's path (or ``basePath``) in front of the OpenAPI path;
a placeholder matches a placeholder whatever its name or spelling (``{x}``, ``{{x}}``),
literal text is compared ignoring case with ``.``, ``-`` and ``_`` equal. In order:

1. the whole paths are equal (base included);
2. the paths below the bases are equal (a base URI that says nothing: ``{API_URL}``);
3. one whole path ends with the other and what comes before is literal text only
   (``/api/v3/repos/{o}/{r}`` and ``/repos/{o}/{r}``), when exactly one operation does.

Files given for the API's namespace are searched before files given for every API.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Sequence

from .. import ir, names
from .document import Contract, ContractOperation

_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}|\{[^{}]*\}")


def segments(path: str) -> tuple[str, ...]:
    """The comparable segments of a path template (``/Calls/{CallSid}.json`` →
    ``("calls", "{}_json")``)."""
    found = []
    for part in path.split("/"):
        if not part:
            continue
        pieces = _PLACEHOLDER.split(part)
        found.append("{}".join(names.normalise_reference(piece) for piece in pieces))
    return tuple(found)


def base_segments(base_uri: str) -> tuple[str, ...]:
    """The segments of a base URI's path (none when the URI is only a placeholder)."""
    if "://" not in base_uri:
        return ()
    return segments(urllib.parse.urlsplit(base_uri).path)


class Matcher:
    """Finds the OpenAPI operation of each consumed operation in a list of documents."""

    def __init__(self, contracts: Sequence[Contract]) -> None:
        self.contracts = list(contracts)
        self._index: dict[int, list[_Indexed]] = {
            id(contract): [
                _Indexed(
                    contract,
                    operation,
                    segments(operation.path),
                    tuple(segments(base) + segments(operation.path) for base in operation.bases),
                )
                for operation in contract.operations
            ]
            for contract in self.contracts
        }

    def candidates(self, namespace: str) -> list[Contract]:
        """The documents searched for the API ``namespace``, its own first."""
        own = [c for c in self.contracts if c.namespace == namespace]
        return own + [c for c in self.contracts if not c.namespace]

    def match(
        self, api: ir.ConsumedApi, operation: ir.ConsumedOperation
    ) -> tuple[Contract, ContractOperation] | None:
        """The document and operation ``operation`` calls, or ``None``."""
        below = segments(operation.path)
        whole = base_segments(api.base_uri) + below
        options = [
            item
            for contract in self.candidates(api.namespace)
            for item in self._index[id(contract)]
            if item.operation.method == operation.method
        ]
        found = next((item for item in options if whole in item.wholes), None)
        found = found or next((item for item in options if item.below == below), None)
        if found is None:
            suffixed = [
                item
                for item in options
                if any(_literal_suffix(other, whole) for other in item.wholes)
            ]
            found = suffixed[0] if len(suffixed) == 1 else None
        return (found.contract, found.operation) if found is not None else None


@dataclasses.dataclass(frozen=True)
class _Indexed:
    """An OpenAPI operation with its comparable paths, computed once."""

    contract: Contract
    operation: ContractOperation
    below: tuple[str, ...]
    wholes: tuple[tuple[str, ...], ...]


def _literal_suffix(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """One path ends with the other, which is not empty, after literal segments only."""
    short, long = sorted((left, right), key=len)
    if not short or len(short) == len(long) or long[len(long) - len(short) :] != short:
        return False
    return all("{}" not in part for part in long[: len(long) - len(short)])
