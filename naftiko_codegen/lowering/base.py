"""Shared state and resolution helpers of the lowering phase."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .. import ir, names
from ..diagnostics import Diagnostic, Path, Severity
from ..loader import Document
from ..locations import parse_location
from ..mustache import TemplateSyntaxError, is_template, tokens
from . import calls
from .calls import CallSite
from .oauth2 import lower_oauth2, oauth2_problems

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


class LowererBase:
    """Diagnostics, bound variables, templates and `call`/`with` resolution."""

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
        self.functions: dict[str, Mapping[str, Any]] = {}
        self.operation_index: dict[str, dict[str, list[ir.ConsumedOperation]]] = {}
        """Consumed operations by namespace and name (``call`` resolution in constant time)."""
        self.api_documents: dict[str, Document] = {}
        """The imported file each imported consumed API is written in (by local namespace)."""
        self.failed_imports: set[str] = set()
        """Local namespaces of imports that failed (their calls are skipped silently)."""

    # -- diagnostics ---------------------------------------------------------------

    def report(self, path: Path, code: str, message: str, **extra: Any) -> None:
        """Record a diagnostic located at ``path``."""
        self.diagnostics.append(self.doc.diagnostic(path, code, message, **extra))

    @contextlib.contextmanager
    def located_in(self, document: Document | None) -> Iterator[None]:
        """Locate the diagnostics reported inside the block in ``document`` (an imported
        file); ``None`` keeps the spec."""
        saved = self.doc
        self.doc = document or saved
        try:
            yield
        finally:
            self.doc = saved

    def skip(self, path: Path, code: str, message: str, **extra: Any) -> _SkipOperation:
        """Record a warning for ``path`` and return the exception that skips the operation."""
        self.report(
            path, code, message + "; the operation is skipped", severity=Severity.WARNING, **extra
        )
        return _SkipOperation()

    # -- binds ---------------------------------------------------------------------

    def collect_binds(self) -> None:
        """Gather bound variables from the root and capability ``binds``."""
        for base, binds in self.bind_sections():
            for index, bind in enumerate(binds):
                path = base + (index,)
                location = bind.get("location")
                if location is not None:  # checked by the semantic checks: a local file
                    location = parse_location(str(location)).canonical()
                self.bind_namespaces[bind["namespace"]] = set(bind.get("keys", {}))
                for name, source_key in sorted(bind.get("keys", {}).items()):
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
        """Warn about bound variables nothing references (they stay optional at run time).

        Nothing is reported when an import failed: its API may be what references them.
        """
        if self.failed_imports:
            return
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

    def resolve_secret(self, name: str, path: Path, *, quiet: bool = False) -> str | None:
        """The bound variable a template name refers to (``VAR`` or ``namespace.VAR``).

        ``quiet`` only answers the question, recording nothing.
        """
        namespace, _, variable = name.rpartition(".")
        if quiet:
            known = namespace in self.bind_namespaces if namespace else name in self.variables
            return (variable or name) if known else None
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

    def only_secrets(self, template: str, path: Path) -> bool:
        """True when every tag of ``template`` names a bound variable."""
        try:
            return all(
                not is_variable or self.resolve_secret(text, path, quiet=True) is not None
                for is_variable, text in tokens(template)
            )
        except TemplateSyntaxError:
            return True  # reported when compiled

    def compile_value(
        self,
        value: Any,
        path: Path,
        inputs: Mapping[str, ir.ExposedInput] | None = None,
        *,
        skip_on_error: bool = False,
    ) -> ir.ValueSource:
        """Compile a spec value: a literal, or a template over inputs and bound variables.

        An unresolvable tag is an error, or (``skip_on_error``) a warning skipping the
        operation being lowered.
        """
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
            if skip_on_error:
                raise self.skip(path, "NG202", str(error)) from None
            self.report(path, "NG202", str(error))
            return ir.ValueSource("literal", literal=value)
        return ir.ValueSource("template", parts=tuple(parts))

    # -- calls and `with` ----------------------------------------------------------

    def resolve_call(
        self, call: str, path: Path, site: CallSite | None = None
    ) -> tuple[ir.ConsumedApi, ir.ConsumedOperation]:
        """The consumed operation ``call: namespace.operation`` names; when several share
        the name, the one ``site`` (where the call is written) decides (see ``calls``)."""
        namespace, _, operation = call.partition(".")
        api = self.apis.get(namespace)
        if api is None and namespace in self.failed_imports:
            raise _SkipOperation()  # the import's own error explains
        if api is None:
            known = ", ".join(sorted(self.apis)) or "none"
            raise self.skip(
                path,
                "NG200",
                f"`call: {call}` names no consumed namespace {namespace!r}",
                expected=f"one of: {known}",
            )
        index = self.operation_index.get(namespace)
        if index is None:
            index = self.operation_index[namespace] = {}
            for candidate in api.operations:
                index.setdefault(candidate.name, []).append(candidate)
        matches = index.get(operation, [])
        if not matches:
            known = ", ".join(dict.fromkeys(op.name for op in api.operations))
            raise self.skip(
                path,
                "NG200",
                f"`call: {call}`: namespace {namespace!r} has no operation {operation!r}",
                expected=f"one of: {known}",
            )
        if len(matches) > 1:
            chosen = calls.choose(matches, site) if site is not None else None
            if chosen is None:
                raise self.skip(
                    path,
                    "NG201",
                    f"`call: {call}` is ambiguous: {len(matches)} consumed operations share "
                    "the name"
                    + ("" if site is None else ", and neither path, resource nor position decides"),
                    hint="give the consumed operations distinct names",
                )
            return api, chosen
        return api, matches[0]

    def find_input(
        self, reference: str, inputs: Mapping[str, ir.ExposedInput], path: Path
    ) -> ir.ExposedInput | None:
        """The exposed input ``reference`` names, matched case- and separator-insensitively;
        failing that, without a location qualifier (``path.org_slug`` → ``org_slug``), then
        without leading separators (``_batchId`` → ``batchId``)."""
        for candidate in names.reference_readings(reference):
            wanted = names.normalise_reference(candidate)
            matches = [i for key, i in inputs.items() if key == wanted]
            if len(matches) > 1:
                self.report(
                    path,
                    "NG202",
                    f"{reference!r} matches several inputs: "
                    f"{', '.join(m.name for m in matches)}",
                )
            if matches:
                return matches[0]
        return None

    def split_reference(self, value: Any, namespace: str) -> str | None:
        """``rest.id.project`` → ``id.project`` when the prefix names the exposed side."""
        if not isinstance(value, str) or is_template(value):
            return None
        prefix, dot, rest = value.partition(".")
        aggregates = {name.split(".", 1)[0] for name in self.functions}
        if dot and rest and (prefix in _REFERENCE_PREFIXES or prefix in (namespace, *aggregates)):
            return rest
        return None

    def unknown_input(
        self, value: Any, inputs: dict[str, ir.ExposedInput], path: Path
    ) -> _SkipOperation:
        """NG202 for a ``with`` value naming no input of the operation (raise the result)."""
        return self.skip(
            path,
            "NG202",
            f"{value!r} refers to no input of this operation",
            expected=", ".join(i.name for i in inputs.values()) or "no inputs",
        )

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
        (a callable ``(reference, consumed_param, *, source) -> ExposedInput | None``, where
        ``source`` says why the input is wanted: a ``with`` reference, a path placeholder
        nothing feeds, or a declared query, header or cookie parameter nothing feeds) creates
        one.
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
                    raise self.unknown_input(value, inputs, w_path)
                found = add_input(inputs, found)
            arguments[param.name] = ir.ValueSource("input", input=found.ident)
        for param in operation.path_params:
            if param.name in arguments:
                continue
            found = self.find_input(param.name, inputs, path)
            if found is None and (param.default is not None or param.default_template):
                continue  # fed by its own `value`, below
            found = found or implicit(param.name, param, source="placeholder")
            if found is None:
                raise self.skip(
                    path,
                    "NG203",
                    f"placeholder {{{param.name}}} of {operation.namespace}.{operation.name} "
                    "has no source",
                    hint=f"add `{param.name}` to `with`, or a path variable of the same name",
                )
            if names.normalise_reference(found.name) not in inputs:
                found = add_input(inputs, found)
            arguments[param.name] = ir.ValueSource("input", input=found.ident)
        for param in operation.params:
            if param.name in arguments:
                continue
            if param.default is not None:
                arguments[param.name] = param.default
            elif param.default_template:
                arguments[param.name] = self.compile_value(
                    param.default_template, path, inputs, skip_on_error=True
                )
            elif param.location in ("query", "header", "cookie"):
                found = self.find_input(param.name, inputs, path)
                found = found or implicit(param.name, param, source="declared")
                if found is not None and found is not _DROPPED:
                    if names.normalise_reference(found.name) not in inputs:
                        found = add_input(inputs, found)
                    arguments[param.name] = ir.ValueSource("input", input=found.ident)
        return tuple((p, arguments[p.name]) for p in operation.params if p.name in arguments)

    def exposed_auth(self, spec: Mapping[str, Any] | None, path: Path) -> ir.Authentication | None:
        """Credentials an adapter demands; an unsupported scheme is an error, never open."""
        return self.authentication(
            spec, path, ("bearer", "apikey", "basic", "digest", "oauth2"), exposed=True
        )

    def authentication(
        self,
        spec: Mapping[str, Any] | None,
        path: Path,
        supported: tuple[str, ...],
        *,
        exposed: bool = False,
    ) -> ir.Authentication | None:
        """An ``authentication`` block with its values compiled; other schemes are errors."""
        if spec is None:
            return None
        kind = spec.get("type")
        if kind not in supported:
            side = "an exposed adapter" if exposed else "a consumed API"
            self.report(
                path + ("type",),
                "NG211",
                f"`{kind}` authentication on {side} is not generated yet",
                expected=", ".join(supported),
                hint=(
                    "the adapter would be left unprotected, so the build stops" if exposed else None
                ),
            )
            return None
        if kind == "oauth2":
            problems = oauth2_problems(spec)
            for field, message in problems:
                self.report(path + (field,), "NG211", message)
            return None if problems else ir.Authentication(type=kind, oauth2=lower_oauth2(spec))

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

    def collect_aggregates(self) -> None:
        """Index the aggregate functions that operations and tools may ``ref``."""
        aggregates = self.data.get("capability", {}).get("aggregates", [])
        for aggregate in aggregates:
            for function in aggregate.get("functions", []):
                key = f"{aggregate['namespace']}.{function['name']}"
                self.functions[key] = function

    def resolve_ref(self, spec: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
        """The operation or tool with its ``ref``'d aggregate function merged in.

        Fields the adapter writes override the function's; an unknown ``ref`` is an error.
        """
        if "ref" not in spec:
            return spec
        function = self.functions.get(str(spec["ref"]))
        if function is None:
            known = ", ".join(sorted(self.functions)) or "none"
            self.report(
                path + ("ref",),
                "NG200",
                f"`ref: {spec['ref']}` names no aggregate function",
                expected=f"one of: {known}",
            )
            raise _SkipOperation()
        merged = {key: value for key, value in function.items() if key != "semantics"}
        merged.update({key: value for key, value in spec.items() if key != "ref"})
        if "semantics" in function:
            merged["semantics"] = function["semantics"]
        return merged

    def unsupported_shapes(self, spec: Mapping[str, Any], path: Path) -> None:
        """Skip operations that have nothing to do (no call, steps or mock outputs)."""
        if "call" not in spec and "steps" not in spec and not spec.get("outputParameters"):
            raise self.skip(path, "NG211", "an operation needs `call`, `steps` or mock outputs")


def implicit_input(
    reference: str,
    param: ir.ConsumedParam,
    operation: ir.ConsumedOperation,
    *,
    required: bool | None = None,
    location: ir.ParamLocation | None = None,
) -> ir.ExposedInput:
    """An input the spec did not declare but references, typed like the parameter it feeds
    (``required`` and ``location`` override the parameter's own)."""
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
        param.type,
        param.required if required is None else required,
        description,
    )


def add_input(inputs: dict[str, ir.ExposedInput], exposed: ir.ExposedInput) -> ir.ExposedInput:
    """Record ``exposed`` among an operation's ``inputs`` (by normalised name), with a Python
    name no other input of the operation has: wire names that sanitise alike (``page[limit]``
    and ``page_limit``) become ``page_limit`` and ``page_limit_2``. Returns the input as kept."""
    key = names.normalise_reference(exposed.name)
    taken = {item.ident for other, item in inputs.items() if other != key}
    ident = names.unique(exposed.ident, taken)
    if ident != exposed.ident:
        exposed = dataclasses.replace(exposed, ident=ident)
    inputs[key] = exposed
    return exposed
