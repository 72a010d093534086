"""Lower phase: a schema-valid document becomes the IR, every reference resolved.

Resolution problems are reported here, located in the spec. A problem confined to
one exposed operation (unknown or ambiguous ``call``, a placeholder with no source,
an unsupported feature) is a warning that skips that operation; the rest of the
capability is still generated.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

from . import ir, names
from .diagnostics import Diagnostic, Path, Severity
from .loader import Document
from .mustache import TemplateSyntaxError, is_template, tokens

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}|\{([^{}]+)\}")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_REFERENCE_PREFIXES = {"rest", "tools", "mcp"}
_DERIVED_HINTS = {
    "GET": (True, False, True),
    "HEAD": (True, False, True),
    "OPTIONS": (True, False, True),
    "PUT": (False, False, True),
    "DELETE": (False, True, True),
}


_DROPPED = ir.ExposedInput("", "dropped", "header", "string", False, "")
"""Marker: a reference the exposed side deliberately does not feed (caller credentials)."""


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


class _SkipOperation(Exception):
    """Raised inside the lowering of one exposed operation to skip it (after a warning)."""


class Lowerer:
    """Builds :class:`ir.Capability` from a document; collects diagnostics as it goes."""

    def __init__(self, document: Document, package_name: str | None = None) -> None:
        self.doc = document
        self.data = document.data
        self.package_name = package_name
        self.diagnostics: list[Diagnostic] = []
        self.variables: dict[str, ir.BoundVariable] = {}
        self.bind_namespaces: dict[str, set[str]] = {}
        self.referenced: set[str] = set()
        self.apis: dict[str, ir.ConsumedApi] = {}
        self.api_paths: dict[str, Path] = {}
        self.env_prefix = ""

    # -- diagnostics ---------------------------------------------------------------

    def report(self, path: Path, code: str, message: str, **extra: Any) -> None:
        """Record a diagnostic located at ``path``."""
        self.diagnostics.append(self.doc.diagnostic(path, code, message, **extra))

    def skip(self, path: Path, code: str, message: str, **extra: Any) -> _SkipOperation:
        """Record a warning for ``path`` and return the exception that skips the operation."""
        self.report(
            path, code, message + "; the operation is skipped", severity=Severity.WARNING, **extra
        )
        return _SkipOperation()

    # -- entry ---------------------------------------------------------------------

    def lower(self) -> ir.Capability:
        """Lower the whole document."""
        capability = self.data.get("capability", {})
        info = self.data.get("info", {})
        label = str(info.get("label") or "")
        namespaces = [c.get("namespace", "") for c in capability.get("consumes", [])]
        package = self.package_name or names.identifier(
            label or next(iter(namespaces), "capability"), reserved=False
        )
        self.env_prefix = names.constant_name(package)
        self.collect_binds()
        for index, consumes in enumerate(capability.get("consumes", [])):
            self.lower_api(consumes, ("capability", "consumes", index))
        rest: list[ir.RestAdapter] = []
        mcp: list[ir.McpAdapter] = []
        exposes = capability.get("exposes", [])
        counts = {kind: sum(e.get("type") == kind for e in exposes) for kind in ("rest", "mcp")}
        for index, adapter in enumerate(exposes):
            path: Path = ("capability", "exposes", index)
            kind = adapter.get("type")
            module_suffix = (
                ""
                if counts.get(kind, 0) == 1
                else "_" + names.identifier(adapter["namespace"], reserved=False)
            )
            if kind == "rest":
                rest.append(self.lower_rest(adapter, path, "rest" + module_suffix))
            elif kind == "mcp":
                mcp.append(self.lower_mcp(adapter, path, "mcp" + module_suffix))
            else:
                self.report(
                    path + ("type",),
                    "NG211",
                    f"`{kind}` adapters are not generated yet; this adapter is skipped",
                    severity=Severity.WARNING,
                )
        variables = tuple(
            ir.BoundVariable(v.name, v.source_key, v.location, v.name in self.referenced)
            for v in self.variables.values()
        )
        self.report_unused_variables()
        return ir.Capability(
            package=package,
            distribution=names.distribution_name(package),
            env_prefix=self.env_prefix,
            label=label or package,
            description=str(info.get("description") or ""),
            spec_name=self.doc.file.rsplit("/", 1)[-1],
            apis=tuple(self.apis.values()),
            rest_adapters=tuple(rest),
            mcp_adapters=tuple(mcp),
            variables=variables,
        )

    # -- binds ---------------------------------------------------------------------

    def collect_binds(self) -> None:
        """Gather bound variables from the root and capability ``binds``."""
        for base, binds in self.bind_sections():
            for index, bind in enumerate(binds):
                path = base + (index,)
                location = bind.get("location")
                if location is not None and not str(location).startswith("file://"):
                    self.report(
                        path + ("location",),
                        "NG211",
                        f"bind location scheme of {location!r} is not supported",
                        expected="`file://` (a JSON or YAML file) or no location (environment)",
                    )
                    location = None
                self.bind_namespaces[bind["namespace"]] = set(bind.get("keys", {}))
                for name, source_key in bind.get("keys", {}).items():
                    if name in self.variables:
                        self.report(
                            path + ("keys", name),
                            "NG204",
                            f"variable {name!r} is bound twice",
                            key=True,
                        )
                        continue
                    self.variables[name] = ir.BoundVariable(name, source_key, location, False)

    def bind_sections(self) -> list[tuple[Path, list[Any]]]:
        """The root ``binds`` and ``capability.binds``, each with its path."""
        return [
            (("binds",), self.data.get("binds", [])),
            (("capability", "binds"), self.data.get("capability", {}).get("binds", [])),
        ]

    def report_unused_variables(self) -> None:
        """Warn about bound variables nothing references (they stay optional at run time)."""
        for base, binds in self.bind_sections():
            for index, bind in enumerate(binds):
                for name in bind.get("keys", {}):
                    if name not in self.referenced:
                        self.report(
                            base + (index, "keys", name),
                            "NG210",
                            f"bound variable {name!r} is never referenced",
                            key=True,
                            severity=Severity.WARNING,
                            hint="it is optional at run time; remove it or reference it as "
                            f"`{{{{{name}}}}}`",
                        )

    # -- templates -----------------------------------------------------------------

    def resolve_secret(self, name: str, path: Path) -> str | None:
        """The bound variable a template name refers to (``VAR`` or ``namespace.VAR``)."""
        namespace, _, variable = name.rpartition(".")
        if namespace and namespace in self.bind_namespaces:
            if variable not in self.variables:
                self.report(
                    path,
                    "NG209",
                    f"`{{{{{name}}}}}` refers to {variable!r}, which no bind declares",
                    severity=Severity.WARNING,
                    hint=f"it will be read from the environment variable {variable}; "
                    f"declare it under the `{namespace}` bind to document it",
                )
                self.variables[variable] = ir.BoundVariable(variable, variable, None, True)
            self.referenced.add(variable)
            return variable
        if not namespace and name in self.variables:
            self.referenced.add(name)
            return name
        return None

    def compile_value(
        self, value: Any, path: Path, inputs: Mapping[str, ir.ExposedInput] | None = None
    ) -> ir.ValueSource:
        """Compile a spec value: a literal, or a template over inputs and bound variables."""
        if not isinstance(value, str) or not is_template(value):
            return ir.ValueSource("literal", literal=value)
        parts: list[ir.TemplatePart] = []
        try:
            for is_variable, text in tokens(value):
                if not is_variable:
                    parts.append(ir.TemplatePart("text", text))
                    continue
                secret = self.resolve_secret(text, path)
                if secret is not None:
                    parts.append(ir.TemplatePart("secret", secret))
                    continue
                found = self.find_input(text, inputs or {}, path) if inputs else None
                if found is None:
                    raise TemplateSyntaxError(
                        f"`{{{{{text}}}}}` is neither a bound variable nor an input"
                    )
                parts.append(ir.TemplatePart("input", found.ident))
        except TemplateSyntaxError as error:
            self.report(path, "NG202", str(error))
            return ir.ValueSource("literal", literal=value)
        return ir.ValueSource("template", parts=tuple(parts))

    # -- consumes ------------------------------------------------------------------

    def lower_api(self, spec: Mapping[str, Any], path: Path) -> None:
        """Lower one consumed API and its operations."""
        if "location" in spec:
            self.report(
                path + ("location",),
                "NG211",
                "imported consumes (`location`) are not supported yet",
            )
            return
        namespace = spec["namespace"]
        if namespace in self.apis:
            self.report(path + ("namespace",), "NG204", f"consumed namespace {namespace!r} repeats")
            return
        base_uri = str(spec.get("baseUri") or "").rstrip("/")
        common = list(spec.get("inputParameters", []))
        operations: list[ir.ConsumedOperation] = []
        for r_index, resource in enumerate(spec.get("resources", [])):
            r_path = path + ("resources", r_index)
            shared = common + list(resource.get("inputParameters", []))
            for o_index, operation in enumerate(resource.get("operations", [])):
                operations.append(
                    self.lower_consumed_operation(
                        namespace, resource, operation, shared, r_path + ("operations", o_index)
                    )
                )
        taken: set[str] = set()
        for index, operation in enumerate(operations):
            ident, number = operation.ident, 1
            while ident in taken:
                number += 1
                ident = f"{operation.ident}_{number}"
            taken.add(ident)
            operations[index] = dataclasses.replace(operation, ident=ident)
        headers = tuple(
            (name, self.compile_value(value, path + ("headers", name)))
            for name, value in spec.get("headers", {}).items()
        )
        self.apis[namespace] = ir.ConsumedApi(
            namespace=namespace,
            ident=names.identifier(namespace, reserved=False),
            class_name=names.class_name(namespace) + "Client",
            base_uri=base_uri,
            base_uri_env=f"{self.env_prefix}_{names.constant_name(namespace)}_BASE_URL",
            base_uri_required=not base_uri or "{" in base_uri,
            description=str(spec.get("description") or ""),
            static_headers=headers,
            authentication=self.lower_auth(spec.get("authentication"), path + ("authentication",)),
            operations=tuple(operations),
        )
        self.api_paths[namespace] = path

    def lower_auth(self, spec: Mapping[str, Any] | None, path: Path) -> ir.Authentication | None:
        """Lower a consumed API's ``authentication``."""
        if spec is None:
            return None
        kind = spec["type"]
        if kind == "oauth2":
            self.report(path, "NG211", "oauth2 on a consumed API is not supported yet")
            return None

        def value(field: str) -> ir.ValueSource | None:
            if field not in spec:
                return None
            return self.compile_value(spec[field], path + (field,))

        return ir.Authentication(
            type=kind,
            token=value("token") or value("value"),
            key=str(spec.get("key") or "Authorization"),
            placement=spec.get("placement", "header"),
            username=value("username"),
            password=value("password"),
        )

    def lower_consumed_operation(
        self,
        namespace: str,
        resource: Mapping[str, Any],
        spec: Mapping[str, Any],
        shared: list[Mapping[str, Any]],
        path: Path,
    ) -> ir.ConsumedOperation:
        """Lower one consumed operation: its path template and merged parameters."""
        raw_path = str(resource.get("path", ""))
        raw_path = raw_path.split("#", 1)[0]
        raw_path, _, query_text = raw_path.partition("?")
        static_query = tuple(
            (key, value)
            for key, _, value in (pair.partition("=") for pair in query_text.split("&") if pair)
        )
        declared: dict[tuple[str, str], Mapping[str, Any]] = {}
        for param in [*shared, *spec.get("inputParameters", [])]:
            declared[(param["name"], param["in"])] = param
        params: dict[str, ir.ConsumedParam] = {}
        used_idents: dict[str, str] = {}

        def add(param: ir.ConsumedParam) -> None:
            if param.ident in used_idents and used_idents[param.ident] != param.name:
                self.report(
                    path,
                    "NG208",
                    f"parameters {used_idents[param.ident]!r} and {param.name!r} both become "
                    f"the Python name `{param.ident}`",
                )
            used_idents[param.ident] = param.name
            params[param.name + "\0" + param.location] = param

        segments: list[ir.PathSegment] = []
        position = 0
        for match in _PLACEHOLDER.finditer(raw_path):
            if match.start() > position:
                segments.append(ir.PathSegment(text=raw_path[position : match.start()]))
            name = (match.group(1) or match.group(2)).strip()
            found = declared.pop((name, "path"), {})
            param = self.consumed_param({"name": name, "in": "path", **found}, path)
            add(param)
            segments.append(ir.PathSegment(param=param.ident))
            position = match.end()
        if position < len(raw_path):
            segments.append(ir.PathSegment(text=raw_path[position:]))
        body_param = None
        for (name, location), param_spec in declared.items():
            if location == "path":
                self.report(
                    path,
                    "NG203",
                    f"path parameter {name!r} does not appear in the path {raw_path!r}",
                    severity=Severity.WARNING,
                )
                continue
            if location == "environment":
                continue
            param = self.consumed_param(param_spec, path)
            if location == "body":
                body_param = param
            add(param)
        method = str(spec.get("method", "GET")).upper()
        name = spec["name"]
        return ir.ConsumedOperation(
            namespace=namespace,
            name=name,
            ident=names.identifier(name, reserved=False),
            method=method,
            path=raw_path,
            segments=tuple(segments),
            params=tuple(params.values()),
            description=str(spec.get("description") or ""),
            static_query=static_query,
            body_param=body_param,
        )

    def consumed_param(self, spec: Mapping[str, Any], path: Path) -> ir.ConsumedParam:
        """One consumed parameter with its defaults applied."""
        location = spec["in"]
        default = None
        if "value" in spec:
            default = self.compile_value(spec["value"], path)
        return ir.ConsumedParam(
            name=spec["name"],
            ident=names.identifier(spec["name"]),
            location=location,
            type=spec.get("type", "string"),
            required=True if location == "path" else bool(spec.get("required", True)),
            description=str(spec.get("description") or ""),
            default=default,
        )

    # -- calls and `with` ----------------------------------------------------------

    def resolve_call(self, call: str, path: Path) -> tuple[ir.ConsumedApi, ir.ConsumedOperation]:
        """The consumed operation ``call: namespace.operation`` names."""
        namespace, _, operation = call.partition(".")
        api = self.apis.get(namespace)
        if api is None:
            known = ", ".join(sorted(self.apis)) or "none"
            raise self.skip(
                path,
                "NG200",
                f"`call: {call}` names no consumed namespace {namespace!r}",
                expected=f"one of: {known}",
            )
        matches = [op for op in api.operations if op.name == operation]
        if not matches:
            known = ", ".join(op.name for op in api.operations)
            raise self.skip(
                path,
                "NG200",
                f"`call: {call}`: namespace {namespace!r} has no operation {operation!r}",
                expected=f"one of: {known}",
            )
        if len(matches) > 1:
            raise self.skip(
                path,
                "NG201",
                f"`call: {call}` is ambiguous: {len(matches)} consumed operations share the name",
            )
        return api, matches[0]

    def find_input(
        self, reference: str, inputs: Mapping[str, ir.ExposedInput], path: Path
    ) -> ir.ExposedInput | None:
        """The exposed input ``reference`` names, matched case- and separator-insensitively."""
        wanted = names.normalise_reference(reference)
        matches = [i for key, i in inputs.items() if key == wanted]
        if len(matches) > 1:
            self.report(
                path,
                "NG202",
                f"{reference!r} matches several inputs: {', '.join(m.name for m in matches)}",
            )
        return matches[0] if matches else None

    def split_reference(self, value: Any, namespace: str) -> str | None:
        """``rest.id.project`` → ``id.project`` when the prefix names the exposed side."""
        if not isinstance(value, str) or is_template(value):
            return None
        prefix, dot, rest = value.partition(".")
        if dot and rest and (prefix in _REFERENCE_PREFIXES or prefix == namespace):
            return rest
        return None

    def bind_arguments(
        self,
        operation: ir.ConsumedOperation,
        with_map: Mapping[str, Any],
        inputs: dict[str, ir.ExposedInput],
        implicit: Any,
        namespace: str,
        path: Path,
    ) -> tuple[tuple[ir.ConsumedParam, ir.ValueSource], ...]:
        """Source every consumed parameter of ``operation`` for one exposed operation.

        ``inputs`` maps normalised names to exposed inputs and grows when ``implicit``
        (a callable ``(reference, consumed_param) -> ExposedInput | None``) creates one.
        """
        by_name = {names.normalise_reference(p.name): p for p in operation.params}
        arguments: dict[str, ir.ValueSource] = {}
        for key, value in with_map.items():
            w_path = path + ("with", key)
            param = by_name.get(names.normalise_reference(key))
            if param is None:
                self.report(
                    w_path,
                    "NG202",
                    f"`with` key {key!r} is not a parameter of {operation.namespace}."
                    f"{operation.name}",
                    key=True,
                    severity=Severity.WARNING,
                    expected=", ".join(p.name for p in operation.params) or "no parameters",
                    hint="the value is ignored",
                )
                continue
            reference = self.split_reference(value, namespace)
            if reference is None:
                arguments[param.name] = self.compile_value(value, w_path, inputs)
                continue
            if param.location == "body":
                arguments[param.name] = ir.ValueSource("input", input="body")
                continue
            found = self.find_input(reference, inputs, w_path)
            if found is None:
                found = implicit(reference, param)
                if found is _DROPPED:
                    continue
                if found is None:
                    raise self.skip(
                        w_path,
                        "NG202",
                        f"{value!r} refers to no input of this operation",
                        expected=", ".join(i.name for i in inputs.values()) or "no inputs",
                    )
                inputs[names.normalise_reference(found.name)] = found
            arguments[param.name] = ir.ValueSource("input", input=found.ident)
        for param in operation.path_params:
            if param.name in arguments:
                continue
            found = self.find_input(param.name, inputs, path) or implicit(param.name, param)
            if found is None:
                raise self.skip(
                    path,
                    "NG203",
                    f"placeholder {{{param.name}}} of {operation.namespace}.{operation.name} "
                    "has no source",
                    hint=f"add `{param.name}` to `with`, or a path variable of the same name",
                )
            inputs.setdefault(names.normalise_reference(found.name), found)
            arguments[param.name] = ir.ValueSource("input", input=found.ident)
        for param in operation.params:
            if param.name not in arguments and param.default is not None:
                arguments[param.name] = param.default
        return tuple((p, arguments[p.name]) for p in operation.params if p.name in arguments)

    def invocation(
        self,
        api: ir.ConsumedApi,
        operation: ir.ConsumedOperation,
        with_map: Mapping[str, Any],
        inputs: dict[str, ir.ExposedInput],
        implicit: Any,
        namespace: str,
        path: Path,
    ) -> ir.Invocation:
        """Source the call's arguments; decide whether the caller's body is forwarded.

        A body parameter fed by a reference (``body: rest.body``) or not fed at all means
        "forward the caller's JSON body"; one fed by a literal or template sends that value.
        """
        arguments = self.bind_arguments(operation, with_map, inputs, implicit, namespace, path)
        body_source = next((v for p, v in arguments if p.location == "body"), None)
        can_send_body = operation.body_param is not None or operation.method in _BODY_METHODS
        return ir.Invocation(
            api=api,
            operation=operation,
            arguments=tuple((p, v) for p, v in arguments if p.location != "body"),
            body=body_source if body_source is not None and body_source.kind != "input" else None,
            forward_body=can_send_body and (body_source is None or body_source.kind == "input"),
            forward_query=True,
        )

    # -- REST ----------------------------------------------------------------------

    def lower_rest(self, spec: Mapping[str, Any], path: Path, key: str) -> ir.RestAdapter:
        """Lower a REST adapter; operations with per-operation problems are skipped."""
        operations: list[ir.RestOperation] = []
        used_names: set[str] = set()
        for r_index, resource in enumerate(spec.get("resources", [])):
            r_path = path + ("resources", r_index)
            if "forward" in resource:
                self.report(
                    r_path + ("forward",),
                    "NG211",
                    "`forward` resources are not generated yet; the resource is skipped",
                    severity=Severity.WARNING,
                )
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

    def unsupported_shapes(self, spec: Mapping[str, Any], path: Path) -> None:
        """Skip operations that use features this generator does not compile yet."""
        for feature in ("steps", "ref"):
            if feature in spec:
                raise self.skip(path + (feature,), "NG211", f"`{feature}` is not generated yet")
        if "call" not in spec:
            raise self.skip(path, "NG211", "operations without `call` are not generated yet")

    def output(self, spec: Mapping[str, Any], path: Path) -> ir.Output:
        """The exposed output: passthrough for ``$.``/no properties; typed shaping is skipped."""
        outputs = spec.get("outputParameters") or []
        for index, output in enumerate(outputs):
            selector = output.get("mapping", output.get("value", "$."))
            if selector not in ("$", "$.") or "properties" in output or "items" in output:
                raise self.skip(
                    path + ("outputParameters", index),
                    "NG211",
                    "typed output shaping is not generated yet",
                )
        if len(outputs) == 1 and outputs[0].get("type") == "object":
            return ir.Output("passthrough", {"type": "object"})
        return ir.Output("passthrough", None)

    def lower_rest_operation(
        self,
        namespace: str,
        resource: Mapping[str, Any],
        spec: Mapping[str, Any],
        path: Path,
    ) -> ir.RestOperation:
        """Lower one REST operation."""
        self.unsupported_shapes(spec, path)
        api, operation = self.resolve_call(spec["call"], path + ("call",))
        raw_path = str(resource["path"])
        inputs: dict[str, ir.ExposedInput] = {}
        route = raw_path
        for match in _PLACEHOLDER.finditer(raw_path):
            name = (match.group(1) or match.group(2)).strip()
            exposed = ir.ExposedInput(name, names.identifier(name), "path", "string", True, "")
            inputs[names.normalise_reference(name)] = exposed
            route = route.replace(match.group(0), "{" + exposed.ident + "}", 1)
        declared = [*resource.get("inputParameters", []), *spec.get("inputParameters", [])]
        for param in declared:
            exposed = ir.ExposedInput(
                name=param["name"],
                ident=names.identifier(param["name"]),
                location=param.get("in", "query"),
                type=param.get("type", "string"),
                required=param.get("in") == "path" or bool(param.get("required", False)),
                description=str(param.get("description") or ""),
            )
            inputs[names.normalise_reference(exposed.name)] = exposed

        def implicit(reference: str, param: ir.ConsumedParam) -> ir.ExposedInput | None:
            if param.location in ("path", "body"):
                return None
            if is_credential_header(param, api):
                return _DROPPED
            return implicit_input(reference, param, operation)

        invocation = self.invocation(
            api, operation, spec.get("with", {}), inputs, implicit, namespace, path
        )
        self.check_identifiers(inputs.values(), path)
        method = str(spec.get("method", "GET")).upper()
        name = str(spec.get("name") or operation.name)
        description = str(spec.get("description") or operation.description)
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
            output=self.output(spec, path),
        )

    def check_identifiers(self, inputs: Iterable[ir.ExposedInput], path: Path) -> None:
        """Report inputs whose Python names collide after sanitising."""
        seen: dict[str, str] = {}
        for item in inputs:
            other = seen.setdefault(item.ident, item.name)
            if other != item.name:
                raise self.skip(
                    path,
                    "NG208",
                    f"inputs {other!r} and {item.name!r} both become the Python name "
                    f"`{item.ident}`",
                )

    # -- MCP -----------------------------------------------------------------------

    def lower_mcp(self, spec: Mapping[str, Any], path: Path, key: str) -> ir.McpAdapter:
        """Lower an MCP adapter; tools with per-tool problems are skipped."""
        tools: list[ir.McpTool] = []
        for index, tool in enumerate(spec.get("tools", [])):
            try:
                tools.append(self.lower_tool(spec["namespace"], tool, path + ("tools", index)))
            except _SkipOperation:
                continue
        for feature in ("resources", "prompts"):
            if feature in spec:
                self.report(
                    path + (feature,),
                    "NG211",
                    f"MCP {feature} are not generated yet and are skipped",
                    severity=Severity.WARNING,
                )
        transport = cast(Any, spec.get("transport", "http"))
        return ir.McpAdapter(
            namespace=spec["namespace"],
            module=key.replace("mcp", "mcp_server", 1),
            key=key,
            port=int(spec["port"]) if "port" in spec else None,
            transport=transport,
            description=str(spec.get("description") or ""),
            tools=tuple(tools),
        )

    def lower_tool(self, namespace: str, spec: Mapping[str, Any], path: Path) -> ir.McpTool:
        """Lower one MCP tool, deriving its arguments where it declares none."""
        self.unsupported_shapes(spec, path)
        api, operation = self.resolve_call(spec["call"], path + ("call",))
        inputs: dict[str, ir.ExposedInput] = {}
        for param in spec.get("inputParameters", []):
            exposed = ir.ExposedInput(
                name=param["name"],
                ident=names.identifier(param["name"]),
                location="body",
                type=param.get("type", "string"),
                required=bool(param.get("required", True)),
                description=str(param.get("description") or ""),
            )
            inputs[names.normalise_reference(exposed.name)] = exposed
        declared_inputs = bool(inputs)

        def implicit(reference: str, param: ir.ConsumedParam) -> ir.ExposedInput | None:
            if api.authentication is not None and is_credential_header(param, api):
                return _DROPPED
            if declared_inputs or param.location == "body":
                return None
            return implicit_input(reference, param, operation)

        invocation = self.invocation(
            api, operation, spec.get("with", {}), inputs, implicit, namespace, path
        )
        invocation = dataclasses.replace(
            invocation, forward_query=operation.method == "GET" and not operation.query_params
        )
        if invocation.forward_body:
            inputs.pop("body", None)
        self.check_identifiers(inputs.values(), path)
        name = spec["name"]
        if not names.MCP_TOOL_NAME.match(name):
            raise self.skip(
                path + ("name",),
                "NG207",
                f"tool name {name!r} is not accepted by MCP clients",
                expected="1 to 64 characters of A-Z, a-z, 0-9, `_` and `-`",
            )
        return ir.McpTool(
            name=name,
            ident=names.identifier(name),
            title=spec.get("label"),
            description=str(spec.get("description") or operation.description),
            inputs=tuple(inputs.values()),
            input_schema=tool_input_schema(inputs.values(), invocation),
            annotations=self.annotations(spec.get("hints"), operation.method),
            invocation=invocation,
            output=self.output(spec, path),
        )

    @staticmethod
    def annotations(hints: Mapping[str, bool] | None, method: str) -> ir.ToolAnnotations:
        """Annotations from ``hints``; any hint left out is derived from the HTTP method."""
        read_only, destructive, idempotent = _DERIVED_HINTS.get(method, (False, False, False))
        hints = hints or {}
        return ir.ToolAnnotations(
            read_only=hints.get("readOnly", read_only),
            destructive=hints.get("destructive", destructive),
            idempotent=hints.get("idempotent", idempotent),
            open_world=hints.get("openWorld", True),
        )


def implicit_input(
    reference: str, param: ir.ConsumedParam, operation: ir.ConsumedOperation
) -> ir.ExposedInput:
    """An input the spec did not declare but references, typed like the parameter it feeds."""
    description = param.description
    if not description:
        where = {"path": "path parameter", "query": "query parameter", "header": "header"}
        description = (
            f"The {where.get(param.location, param.location)} `{param.name}` of "
            f"{operation.method} {operation.path}."
        )
    return ir.ExposedInput(
        reference,
        names.identifier(reference),
        param.location,
        param.type,
        param.required,
        description,
    )


def tool_input_schema(
    inputs: Iterable[ir.ExposedInput], invocation: ir.Invocation
) -> dict[str, Any]:
    """The JSON Schema of a tool's arguments."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for item in inputs:
        properties[item.name] = item.json_schema
        if item.required:
            required.append(item.name)
    if invocation.forward_body:
        body = invocation.operation.body_param
        properties["body"] = {
            "type": body.type if body else "object",
            "description": (body.description if body else "")
            or "JSON request body sent to the upstream API.",
        }
        if body is not None and body.required:
            required.append("body")
    if invocation.forward_query:
        properties["query"] = {
            "type": "object",
            "description": "Query-string parameters passed to the upstream API "
            "(for example `limit` and `token` to page a list).",
            "additionalProperties": {
                "type": ["string", "number", "boolean", "array"],
                "items": {"type": ["string", "number", "boolean"]},
            },
        }
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def lower(
    document: Document, package_name: str | None = None
) -> tuple[ir.Capability, list[Diagnostic]]:
    """Lower a schema-valid document; returns the IR and the diagnostics found."""
    lowerer = Lowerer(document, package_name)
    capability = lowerer.lower()
    return capability, lowerer.diagnostics
