"""Lowering of REST adapters: routes, their inputs, calls, steps and outputs, forwards."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import ir, names
from ..diagnostics import Path
from .calls import CallSite, call_positions
from .consumes import PLACEHOLDER
from .context import SkipOperation
from .outputs import JsonPathError, compile_jsonpath, contract_answer
from .scope import DROPPED, Scope, Wanted, implicit_input, is_credential_header, require_action
from .served import served
from .toolkit import Toolkit


class Rest:
    """Builds :class:`ir.RestAdapter` values."""

    def __init__(self, toolkit: Toolkit) -> None:
        self.kit = toolkit
        self.diagnostics = toolkit.diagnostics

    def lower(self, spec: Mapping[str, Any], path: Path, key: str) -> ir.RestAdapter:
        """Lower a REST adapter; operations with per-operation problems are skipped."""
        operations: list[ir.RestOperation] = []
        forwards: list[ir.RestForward] = []
        used_names: set[str] = set()
        idents: set[str] = set()
        routes: dict[str, tuple[Path, str]] = {}
        located = [
            ((r_index, o_index), operation.get("call"))
            for r_index, resource in enumerate(spec.get("resources", []))
            for o_index, operation in enumerate(resource.get("operations", []))
        ]
        positions = dict(
            zip([key for key, _ in located], call_positions([c for _, c in located]), strict=True)
        )
        for r_index, resource in enumerate(spec.get("resources", [])):
            r_path = path + ("resources", r_index)
            if "forward" in resource:
                try:
                    forwards.append(self.forward(resource, r_path, len(forwards)))
                except SkipOperation:
                    pass
            for o_index, operation in enumerate(resource.get("operations", [])):
                o_path = r_path + ("operations", o_index)
                site = CallSite(
                    path=operation_path(resource, operation),
                    resource=str(resource.get("name") or ""),
                    position=positions[(r_index, o_index)],
                )
                try:
                    self.claim_route(resource, operation, routes, o_path)
                    lowered = self.operation(spec["namespace"], resource, operation, o_path, site)
                except SkipOperation:
                    continue
                operations.append(self.unique_operation(lowered, used_names, idents, o_path))
        return ir.RestAdapter(
            **served(spec, path, key, self.kit.authentication),
            operations=tuple(operations),
            forwards=tuple(forwards),
        )

    def forward(self, resource: Mapping[str, Any], path: Path, index: int) -> ir.RestForward:
        """A resource that proxies everything below its path prefix to a consumed API.

        The last placeholder of the path (``/notion/{{path}}``) captures the rest of the
        request path, every segment re-encoded; only ``trustedHeaders`` are forwarded.
        """
        forward = resource["forward"]
        target = str(forward["targetNamespace"])
        apis = self.kit.consumes.apis
        api = apis.get(target)
        if api is None:
            raise self.diagnostics.skip(
                path + ("forward", "targetNamespace"),
                "NG200",
                f"`forward` targets {target!r}, which no consumed API declares",
                expected=", ".join(sorted(apis)) or "a consumed namespace",
            )
        raw_path = str(resource["path"])
        matches = list(PLACEHOLDER.finditer(raw_path))
        if not matches or matches[-1].end() != len(raw_path):
            raise self.diagnostics.skip(
                path + ("path",),
                "NG211",
                "a `forward` path must end with a placeholder capturing the rest, "
                "such as `/prefix/{{path}}`",
            )
        prefix = raw_path[: matches[-1].start()]
        if PLACEHOLDER.search(prefix):
            raise self.diagnostics.skip(
                path + ("path",), "NG211", "only the last path segment may vary"
            )
        return ir.RestForward(
            path=raw_path,
            route=prefix + "{rest:path}",
            ident=f"forward_{index + 1}_{api.ident}",
            api=api,
            trusted_headers=tuple(str(h) for h in forward.get("trustedHeaders", [])),
            description=str(resource.get("description") or resource.get("label") or ""),
        )

    def claim_route(
        self,
        resource: Mapping[str, Any],
        operation: Mapping[str, Any],
        routes: dict[str, tuple[Path, str]],
        path: Path,
    ) -> None:
        """Take the operation's method and path shape, or skip it when an earlier operation
        already took them (that one answers every request of the shape)."""
        method = str(operation.get("method", "GET")).upper()
        raw_path = operation_path(resource, operation)
        shape = f"{method} {PLACEHOLDER.sub('{}', raw_path).rstrip('/') or '/'}"
        if shape not in routes:
            routes[shape] = (path, f"{method} {raw_path}")
            return
        first_path, first_route = routes[shape]
        line, _ = self.diagnostics.document.locate(first_path)
        raise self.diagnostics.skip(
            path,
            "NG206",
            f"route `{method} {raw_path}` is already served by `{first_route}` (line {line}), "
            "which answers every request of this shape",
            hint="give the operation its own path, or remove one of the two",
        )

    def unique_operation(
        self, operation: ir.RestOperation, used: set[str], idents: set[str], path: Path
    ) -> ir.RestOperation:
        """Rename an operation whose name an earlier one already took (a warning says so);
        give it a Python name no earlier one has (silently: Python names are ours)."""
        ident = names.unique(operation.ident, idents)
        name = names.unique(operation.name, used, separator="-")
        if name == operation.name:
            return dataclasses.replace(operation, ident=ident)
        self.diagnostics.warn(
            path + ("name",),
            "NG204",
            f"operation name {operation.name!r} repeats; it is generated as {name!r} "
            "(its operationId)",
            hint="give every operation of an adapter its own name",
        )
        return dataclasses.replace(operation, name=name, ident=ident)

    def operation(
        self,
        namespace: str,
        resource: Mapping[str, Any],
        spec: Mapping[str, Any],
        path: Path,
        site: CallSite,
    ) -> ir.RestOperation:
        """Lower one REST operation: a call, or a mock answering from its outputs."""
        spec = self.kit.aggregates.resolve(spec, path)
        require_action(self.diagnostics, spec, path)
        method = str(spec.get("method", "GET")).upper()
        raw_path = operation_path(resource, spec)
        scope = Scope(self.diagnostics, namespace, path)
        route = raw_path
        for match in PLACEHOLDER.finditer(raw_path):
            name = (match.group(1) or match.group(2)).strip()
            exposed = scope.add(
                ir.ExposedInput(name, names.identifier(name), "path", "string", True, "")
            )
            route = route.replace(match.group(0), "{" + exposed.ident + "}", 1)
        declared = [*resource.get("inputParameters", []), *spec.get("inputParameters", [])]
        for param in declared:
            scope.add(rest_input(param, method))
        invocation: ir.Invocation | None = None
        steps: tuple[ir.Step, ...] = ()
        if "steps" in spec:
            steps, steps_output = self.kit.steps.lower(spec, scope, path)
        elif "call" in spec:
            api, operation = self.kit.calls.resolve(spec["call"], path + ("call",), site)
            scope.implicit = _RestInputs(api, operation)
            invocation = self.kit.arguments.invocation(
                api, operation, spec.get("with", {}), scope, path
            )
        if steps:
            output = steps_output
        else:
            output = self.kit.outputs.output(spec, path, scope, mock=invocation is None)
            self.kit.outputs.check_format(invocation, output, path)
            answer = contract_answer(invocation.operation) if invocation else None
            if output.kind == "passthrough" and answer is not None:
                output = dataclasses.replace(output, schema=answer)
        name = str(spec.get("name") or (invocation.operation.name if invocation else "mock"))
        description = str(
            spec.get("description") or (invocation.operation.description if invocation else "")
        )
        return ir.RestOperation(
            name=name,
            ident=names.identifier(name),
            method=method,
            path=raw_path,
            route=route,
            summary=str(spec.get("label") or description),
            description=description,
            inputs=tuple(scope.inputs.values()),
            invocation=invocation,
            output=output,
            steps=steps,
        )


@dataclasses.dataclass(frozen=True)
class _RestInputs:
    """The inputs a REST route gains: a ``with`` reference to one it lacks becomes a query
    input (required when it feeds a path placeholder: an empty segment helps nobody);
    placeholders come from the route, and undeclared query pairs pass through."""

    api: ir.ConsumedApi
    operation: ir.ConsumedOperation

    def __call__(
        self, reference: str, param: ir.ConsumedParam, *, source: Wanted = "with"
    ) -> ir.ExposedInput | None:
        if source != "with" or param.location == "body":
            return None
        if is_credential_header(param, self.api):
            return DROPPED
        name = names.reference_readings(reference)[-1]
        if param.location == "path":
            return implicit_input(name, param, self.operation, required=True, location="query")
        # REST follows HTTP convention: optional unless the spec says required.
        return implicit_input(name, param, self.operation, required=param.required_declared)


def rest_input(param: Mapping[str, Any], method: str) -> ir.ExposedInput:
    """A declared REST input; body inputs are read from the JSON body by JSONPath."""
    location: ir.ParamLocation = param.get("in") or (
        "body" if method in ("POST", "PUT", "PATCH") else "query"
    )
    selector: tuple[ir.PathStep, ...] = ()
    if location == "body":
        try:
            selector = compile_jsonpath(str(param.get("value") or f"$.{param['name']}"))
        except JsonPathError:
            selector = (ir.PathStep("key", key=str(param["name"])),)
    return ir.ExposedInput(
        name=param["name"],
        ident=names.identifier(param["name"]),
        location=location,
        type=param.get("type", "string"),
        required=location == "path" or bool(param.get("required", False)),
        description=str(param.get("description") or ""),
        selector=selector,
    )


def operation_path(resource: Mapping[str, Any], operation: Mapping[str, Any]) -> str:
    """The path an exposed operation answers on: its own ``path`` when it has one (absolute,
    or relative to its resource's), else its resource's."""
    own = operation.get("path")
    base = str(resource.get("path", ""))
    if not isinstance(own, str) or not own:
        return base
    return own if own.startswith("/") else base.rstrip("/") + "/" + own
