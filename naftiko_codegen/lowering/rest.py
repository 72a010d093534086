"""Lowering of REST adapters."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import ir, names
from ..diagnostics import Path, Severity
from .base import (
    _DROPPED,
    _PLACEHOLDER,
    _SkipOperation,
    add_input,
    implicit_input,
    is_credential_header,
)
from .calls import CallSite, call_positions
from .outputs import JsonPathError, compile_jsonpath
from .steps import StepsLowering


class RestLowering(StepsLowering):
    """Builds :class:`ir.RestAdapter` values."""

    def lower_rest(self, spec: Mapping[str, Any], path: Path, key: str) -> ir.RestAdapter:
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
                    forwards.append(self.lower_forward(resource, r_path, len(forwards)))
                except _SkipOperation:
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
                    lowered = self.lower_rest_operation(
                        spec["namespace"], resource, operation, o_path, site
                    )
                except _SkipOperation:
                    continue
                operations.append(self.unique_operation(lowered, used_names, idents, o_path))
        return ir.RestAdapter(
            namespace=spec["namespace"],
            module=key,
            key=key,
            port=int(spec["port"]),
            description=str(spec.get("description") or ""),
            operations=tuple(operations),
            forwards=tuple(forwards),
            authentication=self.exposed_auth(
                spec.get("authentication"), path + ("authentication",)
            ),
        )

    def lower_forward(self, resource: Mapping[str, Any], path: Path, index: int) -> ir.RestForward:
        """A resource that proxies everything below its path prefix to a consumed API.

        The last placeholder of the path (``/notion/{{path}}``) captures the rest of the
        request path, every segment re-encoded; only ``trustedHeaders`` are forwarded.
        """
        forward = resource["forward"]
        target = str(forward["targetNamespace"])
        api = self.apis.get(target)
        if api is None:
            raise self.skip(
                path + ("forward", "targetNamespace"),
                "NG200",
                f"`forward` targets {target!r}, which no consumed API declares",
                expected=", ".join(sorted(self.apis)) or "a consumed namespace",
            )
        raw_path = str(resource["path"])
        matches = list(_PLACEHOLDER.finditer(raw_path))
        if not matches or matches[-1].end() != len(raw_path):
            raise self.skip(
                path + ("path",),
                "NG211",
                "a `forward` path must end with a placeholder capturing the rest, "
                "such as `/prefix/{{path}}`",
            )
        prefix = raw_path[: matches[-1].start()]
        if _PLACEHOLDER.search(prefix):
            raise self.skip(path + ("path",), "NG211", "only the last path segment may vary")
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
        shape = f"{method} {_PLACEHOLDER.sub('{}', raw_path).rstrip('/') or '/'}"
        if shape not in routes:
            routes[shape] = (path, f"{method} {raw_path}")
            return
        first_path, first_route = routes[shape]
        line, _ = self.doc.locate(first_path)
        raise self.skip(
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
        self.report(
            path + ("name",),
            "NG204",
            f"operation name {operation.name!r} repeats; it is generated as {name!r} "
            "(its operationId)",
            severity=Severity.WARNING,
            hint="give every operation of an adapter its own name",
        )
        return dataclasses.replace(operation, name=name, ident=ident)

    def lower_rest_operation(
        self,
        namespace: str,
        resource: Mapping[str, Any],
        spec: Mapping[str, Any],
        path: Path,
        site: CallSite,
    ) -> ir.RestOperation:
        """Lower one REST operation: a call, or a mock answering from its outputs."""
        spec = self.resolve_ref(spec, path)
        self.unsupported_shapes(spec, path)
        method = str(spec.get("method", "GET")).upper()
        raw_path = operation_path(resource, spec)
        inputs: dict[str, ir.ExposedInput] = {}
        route = raw_path
        for match in _PLACEHOLDER.finditer(raw_path):
            name = (match.group(1) or match.group(2)).strip()
            exposed = add_input(
                inputs, ir.ExposedInput(name, names.identifier(name), "path", "string", True, "")
            )
            route = route.replace(match.group(0), "{" + exposed.ident + "}", 1)
        declared = [*resource.get("inputParameters", []), *spec.get("inputParameters", [])]
        for index, param in enumerate(declared):
            add_input(inputs, self.rest_input(param, method, path + ("inputParameters", index)))
        invocation: ir.Invocation | None = None
        steps: tuple[ir.Step, ...] = ()
        if "steps" in spec:
            steps, steps_output = self.lower_steps(spec, inputs, namespace, path)
        elif "call" in spec:
            api, operation = self.resolve_call(spec["call"], path + ("call",), site)

            def implicit(
                reference: str, param: ir.ConsumedParam, *, source: str = "with"
            ) -> ir.ExposedInput | None:
                # Placeholders come from the route; undeclared query pairs pass through.
                if source != "with" or param.location == "body":
                    return None
                if is_credential_header(param, api):
                    return _DROPPED
                if param.location == "path":
                    # A `with` reference to an input the route lacks: the caller passes it
                    # in the query string (required: an empty path segment helps nobody).
                    return implicit_input(
                        names.reference_readings(reference)[-1],
                        param,
                        operation,
                        required=True,
                        location="query",
                    )
                # REST follows HTTP convention: optional unless the spec says required.
                return implicit_input(
                    names.reference_readings(reference)[-1],
                    param,
                    operation,
                    required=param.required_declared,
                )

            invocation = self.invocation(
                api, operation, spec.get("with", {}), inputs, implicit, namespace, path
            )
        if steps:
            output = steps_output
        else:
            output = self.output(spec, path, inputs, mock=invocation is None)
            self.check_format(invocation, output, path)
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
            inputs=tuple(inputs.values()),
            invocation=invocation,
            output=output,
            steps=steps,
        )

    def rest_input(self, param: Mapping[str, Any], method: str, path: Path) -> ir.ExposedInput:
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
