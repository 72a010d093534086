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
    implicit_input,
    is_credential_header,
)
from .outputs import JsonPathError, compile_jsonpath
from .steps import StepsLowering


class RestLowering(StepsLowering):
    """Builds :class:`ir.RestAdapter` values."""

    def lower_rest(self, spec: Mapping[str, Any], path: Path, key: str) -> ir.RestAdapter:
        """Lower a REST adapter; operations with per-operation problems are skipped."""
        operations: list[ir.RestOperation] = []
        forwards: list[ir.RestForward] = []
        used_names: set[str] = set()
        for r_index, resource in enumerate(spec.get("resources", [])):
            r_path = path + ("resources", r_index)
            if "forward" in resource:
                try:
                    forwards.append(self.lower_forward(resource, r_path, len(forwards)))
                except _SkipOperation:
                    pass
            for o_index, operation in enumerate(resource.get("operations", [])):
                o_path = r_path + ("operations", o_index)
                try:
                    lowered = self.lower_rest_operation(
                        spec["namespace"], resource, operation, o_path
                    )
                except _SkipOperation:
                    continue
                operations.append(self.unique_operation(lowered, used_names, o_path))
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

    def unique_operation(
        self, operation: ir.RestOperation, used: set[str], path: Path
    ) -> ir.RestOperation:
        """Rename an operation whose name (or Python name) an earlier one already took."""
        name, number = operation.name, 1
        while name in used or names.identifier(name) in used:
            number += 1
            name = f"{operation.name}-{number}"
        used.update((name, names.identifier(name)))
        if name == operation.name:
            return operation
        self.report(
            path + ("name",),
            "NG204",
            f"operation name {operation.name!r} repeats; it is generated as {name!r} "
            "(operationId and Python function)",
            severity=Severity.WARNING,
            hint="give every operation of an adapter its own name",
        )
        return dataclasses.replace(operation, name=name, ident=names.identifier(name))

    def lower_rest_operation(
        self,
        namespace: str,
        resource: Mapping[str, Any],
        spec: Mapping[str, Any],
        path: Path,
    ) -> ir.RestOperation:
        """Lower one REST operation: a call, or a mock answering from its outputs."""
        spec = self.resolve_ref(spec, path)
        self.unsupported_shapes(spec, path)
        method = str(spec.get("method", "GET")).upper()
        raw_path = str(resource["path"])
        inputs: dict[str, ir.ExposedInput] = {}
        route = raw_path
        for match in _PLACEHOLDER.finditer(raw_path):
            name = (match.group(1) or match.group(2)).strip()
            exposed = ir.ExposedInput(name, names.identifier(name), "path", "string", True, "")
            inputs[names.normalise_reference(name)] = exposed
            route = route.replace(match.group(0), "{" + exposed.ident + "}", 1)
        declared = [*resource.get("inputParameters", []), *spec.get("inputParameters", [])]
        for index, param in enumerate(declared):
            exposed = self.rest_input(param, method, path + ("inputParameters", index))
            inputs[names.normalise_reference(exposed.name)] = exposed
        invocation: ir.Invocation | None = None
        steps: tuple[ir.Step, ...] = ()
        if "steps" in spec:
            steps, steps_output = self.lower_steps(spec, inputs, namespace, path)
        elif "call" in spec:
            api, operation = self.resolve_call(spec["call"], path + ("call",))

            def implicit(reference: str, param: ir.ConsumedParam) -> ir.ExposedInput | None:
                if param.location in ("path", "body"):
                    return None
                if is_credential_header(param, api):
                    return _DROPPED
                # REST follows HTTP convention: optional unless the spec says required.
                required = param.location == "path" or param.required_declared
                return implicit_input(reference, param, operation, required=required)

            invocation = self.invocation(
                api, operation, spec.get("with", {}), inputs, implicit, namespace, path
            )
        self.check_identifiers(inputs.values(), path)
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
