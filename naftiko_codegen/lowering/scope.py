"""The scope of one exposed operation, tool, resource or prompt while it is lowered.

A :class:`Scope` holds the unit's exposed inputs (by normalised name, each with a Python
name no other input of the unit has), the adapter's namespace, where the unit is written,
and the policy that turns a reference to an input the unit does not declare into one
(:class:`ImplicitInputs`: REST and MCP decide differently, ``docs/semantics.md`` §1).
"""

from __future__ import annotations

import dataclasses
from typing import Literal, Protocol

from .. import ir, names
from ..diagnostics import Path
from .context import Diagnostics, SkipOperation

Wanted = Literal["with", "placeholder", "declared"]
"""Why an input is wanted: a ``with`` reference, a path placeholder nothing feeds, or a
declared query, header or cookie parameter nothing feeds."""

DROPPED = ir.ExposedInput("", "dropped", "header", "string", False, "")
"""Marker: a reference the exposed side deliberately does not feed (caller credentials)."""


class ImplicitInputs(Protocol):
    """Creates the input a unit did not declare but needs (``None``: it has none)."""

    def __call__(
        self, reference: str, param: ir.ConsumedParam, *, source: Wanted = "with"
    ) -> ir.ExposedInput | None: ...


def no_implicit_inputs(
    reference: str, param: ir.ConsumedParam, *, source: Wanted = "with"
) -> ir.ExposedInput | None:
    """The policy of units that take only what they declare."""
    return None


@dataclasses.dataclass
class Scope:
    """One exposed unit being lowered: its inputs, namespace and location."""

    diagnostics: Diagnostics
    namespace: str
    path: Path
    inputs: dict[str, ir.ExposedInput] = dataclasses.field(default_factory=dict)
    implicit: ImplicitInputs = no_implicit_inputs
    steps: tuple[str, ...] = ()
    """The names of the unit's steps, in order (a value may read only earlier ones)."""

    def add(self, exposed: ir.ExposedInput) -> ir.ExposedInput:
        """Record ``exposed`` (by normalised name) with a Python name no other input of the
        unit has: wire names that sanitise alike (``page[limit]`` and ``page_limit``) become
        ``page_limit`` and ``page_limit_2``. Returns the input as kept."""
        key = names.normalise_reference(exposed.name)
        taken = {item.ident for other, item in self.inputs.items() if other != key}
        ident = names.unique(exposed.ident, taken)
        if ident != exposed.ident:
            exposed = dataclasses.replace(exposed, ident=ident)
        self.inputs[key] = exposed
        return exposed

    def keep(self, exposed: ir.ExposedInput) -> ir.ExposedInput:
        """``exposed`` recorded unless an input of its name is already there."""
        if names.normalise_reference(exposed.name) in self.inputs:
            return exposed
        return self.add(exposed)

    def find(self, reference: str) -> ir.ExposedInput | None:
        """The input ``reference`` names, matched case- and separator-insensitively;
        failing that, without a location qualifier (``path.org_slug`` → ``org_slug``), then
        without leading separators (``_batchId`` → ``batchId``)."""
        for candidate in names.reference_readings(reference):
            found = self.inputs.get(names.normalise_reference(candidate))
            if found is not None:
                return found
        return None

    def unknown(self, value: object, path: Path) -> SkipOperation:
        """NG202 for a value naming no input of the unit (raise the result)."""
        return self.diagnostics.skip(
            path,
            "NG202",
            f"{value!r} refers to no input of this operation",
            expected=", ".join(i.name for i in self.inputs.values()) or "no inputs",
        )


def is_credential_header(param: ir.ConsumedParam, api: ir.ConsumedApi) -> bool:
    """True for ``Authorization``/``Cookie`` headers and the header the API's own auth sets.

    REST callers' credentials are never forwarded upstream; on MCP such an argument exists
    only when the consumed API declares no authentication of its own.
    """
    if param.location != "header":
        return False
    credential = {"authorization", "cookie", "proxy-authorization"}
    auth = api.authentication
    if auth is not None and auth.type == "apikey" and auth.placement == "header":
        credential.add(auth.key.lower())
    return param.name.lower() in credential


def implicit_input(
    reference: str,
    param: ir.ConsumedParam,
    operation: ir.ConsumedOperation,
    *,
    required: bool | None = None,
    location: ir.ParamLocation | None = None,
) -> ir.ExposedInput:
    """An input the spec did not declare but references, typed like the parameter it feeds
    (its OpenAPI schema included; ``required`` and ``location`` override the parameter's
    own)."""
    description = param.description
    if not description:
        where = {"path": "Path parameter", "query": "Query parameter", "header": "Header"}
        description = (
            f"{where.get(param.location, param.location.capitalize())} `{param.name}` of "
            f"{operation.method} {operation.path}."
        )
    return ir.ExposedInput(
        reference,
        names.identifier(reference),
        location or param.location,
        ir.schema_type(param.schema) or param.type,
        param.required if required is None else required,
        description,
        schema=param.schema,
    )


def require_action(diagnostics: Diagnostics, spec: object, path: Path) -> None:
    """Skip a unit that has nothing to do (no ``call``, ``steps`` or mock outputs)."""
    assert isinstance(spec, dict)
    if "call" not in spec and "steps" not in spec and not spec.get("outputParameters"):
        raise diagnostics.skip(path, "NG211", "an operation needs `call`, `steps` or mock outputs")
