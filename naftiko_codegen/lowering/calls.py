"""Which consumed operation an ambiguous ``call`` means.

Generated capabilities often give several consumed operations one name (every operation of
an API called ``post``, or GitHub's ``getanorganizationsecret`` for both its Actions and its
Dependabot secrets). The call is then decided, in order (``docs/semantics.md``, "Calls"):

1. by path: the exposed operation's path against each candidate's consumed path, segment by
   segment from the end (so an adapter prefix such as ``/v1`` does not matter), placeholders
   matching placeholders, ``-`` and ``_`` alike, case ignored; the longest match wins;
2. by resource name: the exposed resource's name against the consumed resource's;
3. by position: the n-th exposed operation (or tool) of the adapter that makes this call
   means the n-th consumed operation of that name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .. import ir, names
from ..diagnostics import Path
from .consumes import Consumes
from .context import Diagnostics, SkipOperation

_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}|\{[^{}]*\}")


@dataclasses.dataclass(frozen=True)
class CallSite:
    """Where a ``call`` is written: what tells apart consumed operations sharing a name."""

    path: str | None = None
    """The exposed operation's path (REST operations)."""
    resource: str | None = None
    """The exposed resource's name (REST operations)."""
    position: int = 0
    """How many earlier operations or tools of the same adapter make the same call."""


def path_shape(path: str) -> tuple[str, ...]:
    """The segments of ``path`` as compared: placeholders as ``{}``, ``_`` as ``-``, lower
    case (``/orgs/{org}/secret_name`` → ``("orgs", "{}", "secret-name")``)."""
    shaped = _PLACEHOLDER.sub("{}", path.split("?", 1)[0]).lower().replace("_", "-")
    return tuple(segment for segment in shaped.split("/") if segment)


def _suffix_length(exposed: tuple[str, ...], consumed: tuple[str, ...]) -> int:
    """How many trailing segments the two shapes share."""
    length = 0
    for left, right in zip(reversed(exposed), reversed(consumed), strict=False):
        if left != right:
            break
        length += 1
    return length


def choose(
    candidates: Sequence[ir.ConsumedOperation], site: CallSite
) -> ir.ConsumedOperation | None:
    """The candidate ``site`` means, or ``None`` when nothing decides."""
    if site.path is not None:
        exposed = path_shape(site.path)
        scores = [_suffix_length(exposed, path_shape(c.path)) for c in candidates]
        best = max(scores)
        if best > 0 and scores.count(best) == 1:
            return candidates[scores.index(best)]
    if site.resource:
        wanted = names.normalise_reference(site.resource)
        named = [c for c in candidates if names.normalise_reference(c.resource) == wanted]
        if len(named) == 1:
            return named[0]
    if site.position < len(candidates):
        return candidates[site.position]
    return None


def call_positions(calls: Sequence[object]) -> list[int]:
    """For each ``call`` of an adapter (in order), how many earlier ones are the same."""
    seen: dict[object, int] = {}
    positions = []
    for call in calls:
        positions.append(seen.get(call, 0))
        seen[call] = positions[-1] + 1
    return positions


@dataclasses.dataclass(eq=False)
class Calls:
    """Resolves ``call: namespace.operation`` to a consumed API and operation."""

    diagnostics: Diagnostics
    consumes: Consumes

    def resolve(
        self, call: str, path: Path, site: CallSite | None = None
    ) -> tuple[ir.ConsumedApi, ir.ConsumedOperation]:
        """The consumed operation ``call`` names; when several share the name, the one
        ``site`` (where the call is written) decides (:func:`choose`)."""
        namespace, _, operation = call.partition(".")
        apis = self.consumes.apis
        api = apis.get(namespace)
        if api is None and namespace in self.consumes.failed:
            raise SkipOperation()  # the import's own error explains
        if api is None and namespace in self.consumes.unreachable:
            reason = self.consumes.unreachable[namespace]
            raise self.diagnostics.skip(
                path, "NG211", f"`call: {call}`: `{namespace}` is not generated: {reason}"
            )
        if api is None:
            known = ", ".join(sorted(apis)) or "none"
            raise self.diagnostics.skip(
                path,
                "NG200",
                f"`call: {call}` names no consumed namespace {namespace!r}",
                expected=f"one of: {known}",
            )
        matches = self.consumes.operations_named(namespace, operation)
        if not matches:
            known = ", ".join(dict.fromkeys(op.name for op in api.operations))
            raise self.diagnostics.skip(
                path,
                "NG200",
                f"`call: {call}`: namespace {namespace!r} has no operation {operation!r}",
                expected=f"one of: {known}",
            )
        if len(matches) == 1:
            return api, matches[0]
        chosen = choose(matches, site) if site is not None else None
        if chosen is None:
            raise self.diagnostics.skip(
                path,
                "NG201",
                f"`call: {call}` is ambiguous: {len(matches)} consumed operations share "
                "the name"
                + ("" if site is None else ", and neither path, resource nor position decides"),
                hint="give the consumed operations distinct names",
            )
        return api, chosen
