"""The arguments of one call: every consumed parameter sourced from ``with``, the unit's
inputs, the parameter's own ``value``, or an input the unit gains (``docs/semantics.md`` §2).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import ir, names
from ..diagnostics import Path
from ..mustache import is_template
from .aggregates import Aggregates
from .bodies import BODY_METHODS, Bodies
from .consumes import Consumes
from .context import Diagnostics
from .scope import DROPPED, Scope
from .values import Values

REFERENCE_PREFIXES = frozenset({"rest", "tools", "mcp"})
"""Prefixes of a ``with`` value that names an input of the exposed side (besides the
adapter's and the aggregates' namespaces)."""


@dataclasses.dataclass(eq=False)
class Arguments:
    """Sources the arguments of consumed operations for the units that call them."""

    diagnostics: Diagnostics
    values: Values
    aggregates: Aggregates
    consumes: Consumes
    bodies: Bodies

    def reference(self, value: Any, namespace: str) -> str | None:
        """``rest.id.project`` → ``id.project`` when the prefix names the exposed side."""
        if not isinstance(value, str) or is_template(value):
            return None
        prefix, dot, rest = value.partition(".")
        exposed = prefix in REFERENCE_PREFIXES or prefix in (namespace, *self.aggregates.namespaces)
        return rest if dot and rest and exposed else None

    def invocation(
        self,
        api: ir.ConsumedApi,
        operation: ir.ConsumedOperation,
        with_map: Mapping[str, Any],
        scope: Scope,
        path: Path,
    ) -> ir.Invocation:
        """Source the call's arguments; decide whether the caller's body is forwarded.

        A body parameter fed by a reference (``body: rest.body``) or not fed at all means
        "forward the caller's JSON body"; one fed by a literal or template sends that value.
        """
        arguments = self.bind(operation, with_map, scope, path)
        body_source = next((v for p, v in arguments if p.location == "body"), None)
        body: ir.RequestBody | None = None
        if body_source is not None and not isinstance(body_source, ir.InputValue):
            body = ir.EncodedBody("json", "application/json", body_source)
        elif body_source is None and operation.body_template is not None:
            with self.diagnostics.located_in(self.consumes.documents.get(api.namespace)):
                body = self.bodies.request_body(operation.body_template, scope)
        can_send_body = operation.body_param is not None or operation.method in BODY_METHODS
        type_declared_inputs(scope, arguments)
        return ir.Invocation(
            api=api,
            operation=operation,
            arguments=tuple((p, v) for p, v in arguments if p.location != "body"),
            body=body,
            forward_body=can_send_body and body is None,
            forward_query=True,
        )

    def bind(
        self,
        operation: ir.ConsumedOperation,
        with_map: Mapping[str, Any],
        scope: Scope,
        path: Path,
    ) -> tuple[tuple[ir.ConsumedParam, ir.ValueSource], ...]:
        """Source every consumed parameter of ``operation`` for the unit of ``scope``.

        The scope's inputs grow when its policy (:class:`~.scope.ImplicitInputs`) creates
        one for a ``with`` reference, a path placeholder nothing feeds, or a declared query,
        header or cookie parameter nothing feeds.
        """
        by_name = {names.normalise_reference(p.name): p for p in operation.params}
        arguments: dict[str, ir.ValueSource] = {}
        order = {names.normalise_reference(p.name): i for i, p in enumerate(operation.params)}

        def position(key: str) -> tuple[int, str]:
            return (order.get(names.normalise_reference(key), len(order)), key)

        # Spec order of a mapping has no meaning: follow the consumed parameters' order.
        for key, value in sorted(with_map.items(), key=lambda item: position(item[0])):
            w_path = path + ("with", key)
            param = by_name.get(names.normalise_reference(key))
            if param is None:
                self.diagnostics.warn(
                    w_path,
                    "NG202",
                    f"`with` key {key!r} is not a parameter of {operation.namespace}."
                    f"{operation.name}",
                    key=True,
                    expected=", ".join(p.name for p in operation.params) or "no parameters",
                    hint="the value is ignored",
                )
                continue
            reference = self.reference(value, scope.namespace)
            if reference is None:
                arguments[param.name] = self.values.compile(value, w_path, scope)
                continue
            if param.location == "body":
                arguments[param.name] = ir.InputValue("body")
                continue
            found = scope.find(reference)
            if found is None:
                found = scope.implicit(reference, param)
                if found is DROPPED:
                    continue
                if found is None:
                    raise scope.unknown(value, w_path)
                found = scope.add(found)
            arguments[param.name] = ir.InputValue(found.ident)
        for param in operation.path_params:
            if param.name in arguments:
                continue
            found = scope.find(param.name)
            if found is None and (param.default is not None or param.default_template):
                continue  # fed by its own `value`, below
            found = found or scope.implicit(param.name, param, source="placeholder")
            if found is None:
                raise self.diagnostics.skip(
                    path,
                    "NG203",
                    f"placeholder {{{param.name}}} of {operation.namespace}.{operation.name} "
                    "has no source",
                    hint=f"add `{param.name}` to `with`, or a path variable of the same name",
                )
            arguments[param.name] = ir.InputValue(scope.keep(found).ident)
        for param in operation.params:
            if param.name in arguments:
                continue
            if param.default is not None:
                arguments[param.name] = param.default
            elif param.default_template:
                arguments[param.name] = self.values.compile(
                    param.default_template, path, scope, skip_on_error=True
                )
            elif param.location in ("query", "header", "cookie"):
                found = scope.find(param.name)
                found = found or scope.implicit(param.name, param, source="declared")
                if found is not None and found is not DROPPED:
                    arguments[param.name] = ir.InputValue(scope.keep(found).ident)
        return tuple((p, arguments[p.name]) for p in operation.params if p.name in arguments)


def type_declared_inputs(
    scope: Scope, arguments: tuple[tuple[ir.ConsumedParam, ir.ValueSource], ...]
) -> None:
    """Give a declared input the OpenAPI schema (and, if it has none, the description) of
    the parameter it feeds, when both agree on the type: ``{id-project}`` of a REST route
    is then documented and checked like the upstream's ``id.project``."""
    for param, source in arguments:
        if param.schema is None or not isinstance(source, ir.InputValue):
            continue
        for key, item in scope.inputs.items():
            if item.ident != source.input or item.schema is not None:
                continue
            if ir.schema_type(param.schema) in (None, item.type):
                scope.inputs[key] = dataclasses.replace(
                    item, schema=param.schema, description=item.description or param.description
                )
