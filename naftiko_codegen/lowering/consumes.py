"""Lowering of consumed APIs: clients, operations, parameters and credentials."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from .. import ir, names
from ..diagnostics import Path
from ..loader import Document
from ..mustache import is_template
from .answer_formats import AnswerFormats
from .auth import Authentication
from .beta5_fields import operation_limit, unreachable_through_tunnel
from .binds import Binds
from .context import Diagnostics
from .imports import Imports, local_name
from .values import Values

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}|\{([^{}]+)\}")
"""A path or base-URI placeholder, ``{{name}}`` (group 1) or ``{name}`` (group 2)."""


class Consumes:
    """Builds :class:`ir.ConsumedApi` values: the spec's consumed APIs, imports included."""

    def __init__(
        self,
        diagnostics: Diagnostics,
        binds: Binds,
        values: Values,
        authentication: Authentication,
        imports: Imports,
        env_prefix: str,
    ) -> None:
        self.diagnostics = diagnostics
        self.binds = binds
        self.values = values
        self.authentication = authentication
        self.imports = imports
        self.env_prefix = env_prefix
        self.apis: dict[str, ir.ConsumedApi] = {}
        self.documents: dict[str, Document] = {}
        """The imported file each imported API is written in (by local namespace)."""
        self.failed: set[str] = set()
        """Local namespaces of imports that failed (their calls are skipped silently)."""
        self.unreachable: dict[str, str] = {}
        """Namespaces that are not generated, with why (their calls are skipped, saying so)."""
        self._by_name: dict[str, dict[str, list[ir.ConsumedOperation]]] = {}
        self.answer_formats = AnswerFormats(diagnostics)

    def operations_named(self, namespace: str, name: str) -> list[ir.ConsumedOperation]:
        """The operations of API ``namespace`` called ``name`` (several may share it)."""
        index = self._by_name.get(namespace)
        if index is None:
            index = self._by_name[namespace] = {}
            for candidate in self.apis[namespace].operations:
                index.setdefault(candidate.name, []).append(candidate)
        return index.get(name, [])

    def lower(self, spec: Mapping[str, Any], path: Path) -> None:
        """Lower one consumed API and its operations.

        An imported API (``location``) is lowered from the file it is written in, under its
        local name (``as``, else ``import``); diagnostics inside it are located there.
        """
        namespace = local_name(spec)
        if namespace in self.apis:
            key = "namespace" if "namespace" in spec else ("as" if "as" in spec else "import")
            self.diagnostics.report(
                path + (key,), "NG204", f"consumed namespace {namespace!r} repeats"
            )
            return
        if "location" in spec:
            resolved = self.imports.resolve_import(spec, path)
            if resolved is None:
                self.failed.add(namespace)
                return
            inline = {**resolved.spec, "namespace": namespace}
            if "description" in spec:
                inline["description"] = spec["description"]
            self.documents[namespace] = resolved.document
            with self.diagnostics.located_in(resolved.document):
                self.lower(inline, resolved.path)
            return
        if unreachable_through_tunnel(self.diagnostics, spec, path):
            self.unreachable[namespace] = "it is only reachable through a reverse tunnel"
            return
        base_uri = str(spec.get("baseUri") or "").rstrip("/")
        common = list(spec.get("inputParameters", []))
        operations: list[ir.ConsumedOperation] = []
        for r_index, resource in enumerate(spec.get("resources", [])):
            r_path = path + ("resources", r_index)
            shared = common + list(resource.get("inputParameters", []))
            for o_index, operation in enumerate(resource.get("operations", [])):
                operations.append(
                    self.operation(
                        namespace, resource, operation, shared, r_path + ("operations", o_index)
                    )
                )
        taken: set[str] = set()
        for index, operation in enumerate(operations):
            ident = names.unique(operation.ident, taken)
            operations[index] = dataclasses.replace(operation, ident=ident)
        headers = tuple(
            (name, self.values.compile(value, path + ("headers", name)))
            for name, value in sorted(spec.get("headers", {}).items())
        )
        self.apis[namespace] = ir.ConsumedApi(
            namespace=namespace,
            ident=names.identifier(namespace),
            class_name=names.class_name(namespace) + "Client",
            base_uri=base_uri,
            base_uri_env=f"{self.env_prefix}_{names.constant_name(namespace)}_BASE_URL",
            base_uri_required=not base_uri,
            base_uri_placeholders=self.base_uri_placeholders(
                namespace, base_uri, path + ("baseUri",)
            ),
            description=str(spec.get("description") or ""),
            static_headers=headers,
            common_headers=tuple(
                (
                    str(param["name"]),
                    self.values.compile(param["value"], path + ("inputParameters",)),
                )
                for param in common
                if param.get("in") == "header"
                and "value" in param
                and self.binds.only_secrets(str(param["value"]), path)
            ),
            authentication=self.authentication.consumed(
                spec.get("authentication"), path + ("authentication",)
            ),
            operations=tuple(operations),
        )

    def base_uri_placeholders(
        self, namespace: str, base_uri: str, path: Path
    ) -> tuple[ir.BaseUriPlaceholder, ...]:
        """Each placeholder of a templated base URI: a bound variable when it names one
        (``{FGA_API_URL}``, ``{{env.REGION}}``), else a setting of its own
        (``<PREFIX>_<NAMESPACE>_<PLACEHOLDER>``)."""
        found: dict[str, ir.BaseUriPlaceholder] = {}
        for match in PLACEHOLDER.finditer(base_uri):
            name = (match.group(1) or match.group(2)).strip()
            if self.binds.resolve(name, path, quiet=True) is not None:
                variable = self.binds.resolve(name, path)  # now referenced
                found[match.group(0)] = ir.BaseUriPlaceholder(
                    match.group(0), name, variable=variable or name
                )
                continue
            setting = names.constant_name(name)
            if setting == "BASE_URL":
                setting = "BASE_URL_PART"
            env = f"{self.env_prefix}_{names.constant_name(namespace)}_{setting}"
            found[match.group(0)] = ir.BaseUriPlaceholder(match.group(0), name, env=env)
        return tuple(found.values())

    def operation(
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
        taken: set[str] = set()

        def add(param: ir.ConsumedParam) -> ir.ConsumedParam:
            """Keep ``param`` under a Python name no other parameter of the operation has."""
            param = dataclasses.replace(param, ident=names.unique(param.ident, taken))
            params[param.name + "\0" + param.location] = param
            return param

        segments: list[ir.PathSegment] = []
        position = 0
        for match in PLACEHOLDER.finditer(raw_path):
            if match.start() > position:
                segments.append(ir.PathSegment(text=raw_path[position : match.start()]))
            name = (match.group(1) or match.group(2)).strip()
            found = declared.pop((name, "path"), {})
            param = add(self.param({"name": name, "in": "path", **found}, path))
            segments.append(ir.PathSegment(param=param.ident))
            position = match.end()
        if position < len(raw_path):
            segments.append(ir.PathSegment(text=raw_path[position:]))
        body_param = None
        for (name, location), param_spec in declared.items():
            if location == "path":
                self.diagnostics.warn(
                    path,
                    "NG203",
                    f"path parameter {name!r} does not appear in the path {raw_path!r}",
                )
                continue
            if location == "environment":
                continue
            param = add(self.param(param_spec, path))
            if location == "body":
                body_param = param
        method = str(spec.get("method", "GET")).upper()
        name = spec["name"]
        output_schema, answer_schema = self.answer_formats.output_schema(spec, path)
        return ir.ConsumedOperation(
            namespace=namespace,
            name=name,
            ident=names.identifier(name),
            method=method,
            path=raw_path,
            segments=tuple(segments),
            params=tuple(params.values()),
            description=str(spec.get("description") or ""),
            static_query=static_query,
            body_param=body_param,
            raw_format=str(spec.get("outputRawFormat", "json")),
            resource=str(resource.get("name", "")),
            body_template=body_template(spec.get("body"), path + ("body",)),
            max_bytes=operation_limit(spec),
            output_schema=output_schema,
            answer_schema=answer_schema,
        )

    def param(self, spec: Mapping[str, Any], path: Path) -> ir.ConsumedParam:
        """One consumed parameter with its defaults applied."""
        location = spec["in"]
        default, template = None, ""
        value = spec.get("value")
        if (
            isinstance(value, str)
            and is_template(value)
            and not self.binds.only_secrets(value, path)
        ):
            template = value
        elif value is not None:
            default = self.values.compile(value, path)
        return ir.ConsumedParam(
            name=spec["name"],
            ident=names.identifier(spec["name"]),
            location=location,
            type=spec.get("type", "string"),
            required=True if location == "path" else bool(spec.get("required", True)),
            description=str(spec.get("description") or ""),
            default=default,
            required_declared=spec.get("required") is True,
            default_template=template,
        )


def body_template(spec: Any, path: Path) -> ir.BodyTemplate | None:
    """A consumed operation's ``body`` (a bare string is a JSON text template)."""
    if spec is None:
        return None
    if isinstance(spec, str):
        return ir.BodyTemplate("json", spec, path, bare=True)
    return ir.BodyTemplate(str(spec.get("type")), spec.get("data"), path)
