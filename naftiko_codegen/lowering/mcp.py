"""Lowering of MCP adapters and their tools (resources and prompts: :mod:`.mcp_content`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, cast

from .. import ir, names
from ..diagnostics import Path
from ..openapi.combine import DEFS_PREFIX, hoist_defs
from .agent_tools import for_agents
from .beta5_fields import cache_hint
from .calls import CallSite, call_positions
from .context import SkipOperation
from .mcp_content import McpContent
from .outputs import contract_answer
from .scope import DROPPED, Scope, Wanted, implicit_input, is_credential_header, require_action
from .toolkit import Toolkit

DERIVED_HINTS = {
    "GET": (True, False, True),
    "HEAD": (True, False, True),
    "OPTIONS": (True, False, True),
    "PUT": (False, False, True),
    "DELETE": (False, True, True),
}
"""``(readOnly, destructive, idempotent)`` of a tool without hints, by HTTP method."""


class Mcp:
    """Builds :class:`ir.McpAdapter` values."""

    def __init__(self, toolkit: Toolkit) -> None:
        self.kit = toolkit
        self.diagnostics = toolkit.diagnostics
        self.content = McpContent(toolkit)

    def lower(self, spec: Mapping[str, Any], path: Path, key: str) -> ir.McpAdapter:
        """Lower an MCP adapter; tools, resources and prompts with problems are skipped."""
        namespace = spec["namespace"]
        tools: list[ir.McpTool] = []
        tool_names: set[str] = set()
        idents: set[str] = set()
        specs = list(spec.get("tools", []))
        positions = call_positions([tool.get("call") for tool in specs])
        for index, tool in enumerate(specs):
            site = CallSite(position=positions[index])
            try:
                lowered = self.tool(namespace, tool, path + ("tools", index), site)
            except SkipOperation:
                continue
            named = dataclasses.replace(
                lowered,
                name=names.unique(lowered.name, tool_names, separator="-"),
                ident=names.unique(lowered.ident, idents),
            )
            tools.append(for_agents(named, tool))
        resources, files = self.content.resources(namespace, spec, path)
        return ir.McpAdapter(
            namespace=namespace,
            module=key.replace("mcp", "mcp_server", 1),
            key=key,
            port=int(spec["port"]) if "port" in spec else None,
            transport=cast(Any, spec.get("transport", "http")),
            description=str(spec.get("description") or ""),
            tools=tuple(tools),
            resources=resources,
            prompts=self.content.prompts(spec, path),
            files=files,
            authentication=self.kit.authentication.exposed(spec, path),
            cache_hint=cache_hint(self.diagnostics, spec, path),
        )

    def tool(
        self, namespace: str, spec: Mapping[str, Any], path: Path, site: CallSite
    ) -> ir.McpTool:
        """Lower one MCP tool, deriving its arguments where it declares none."""
        spec = self.kit.aggregates.resolve(spec, path)
        require_action(self.diagnostics, spec, path)
        scope = Scope(self.diagnostics, namespace, path)
        for param in spec.get("inputParameters", []):
            scope.add(
                ir.ExposedInput(
                    name=param["name"],
                    ident=names.identifier(param["name"]),
                    location="body",
                    type=param.get("type", "string"),
                    required=bool(param.get("required", True)),
                    description=str(param.get("description") or ""),
                )
            )
        if "steps" in spec:
            steps, output = self.kit.steps.lower(spec, scope, path)
            tool = self.mock_tool(spec, scope, path, output)
            return dataclasses.replace(
                tool, steps=steps, annotations=tool_annotations(spec, "POST")
            )
        if "call" not in spec:
            return self.mock_tool(spec, scope, path)
        api, operation = self.kit.calls.resolve(spec["call"], path + ("call",), site)
        scope.implicit = _ToolArguments(api, operation, declared=bool(scope.inputs))
        invocation = self.kit.arguments.invocation(
            api, operation, spec.get("with", {}), scope, path
        )
        invocation = dataclasses.replace(
            invocation, forward_query=operation.method == "GET" and not operation.query_params
        )
        invocation = reserve_arguments(scope, invocation)
        output = self.kit.outputs.output(spec, path, scope)
        self.kit.outputs.check_format(invocation, output, path)
        if operation.raw_format == "binary":
            output = dataclasses.replace(output, schema=None)  # bytes: no structured content
        elif output.kind == "passthrough" and contract_answer(operation) is not None:
            output = dataclasses.replace(output, schema=structured_schema(operation))
        return ir.McpTool(
            name=self.tool_name(spec, path),
            ident=names.identifier(spec["name"]),
            title=spec.get("label"),
            description=str(spec.get("description") or operation.description),
            inputs=tuple(scope.inputs.values()),
            input_schema=tool_input_schema(scope.inputs.values(), invocation),
            annotations=tool_annotations(spec, operation.method),
            invocation=invocation,
            output=output,
        )

    def mock_tool(
        self,
        spec: Mapping[str, Any],
        scope: Scope,
        path: Path,
        output: ir.Output | None = None,
    ) -> ir.McpTool:
        """A tool without a single call: a mock answering from its ``value`` outputs, or
        (with ``output``) the frame of an orchestrated tool."""
        return ir.McpTool(
            name=self.tool_name(spec, path),
            ident=names.identifier(spec["name"]),
            title=spec.get("label"),
            description=str(spec.get("description") or ""),
            inputs=tuple(scope.inputs.values()),
            input_schema=tool_input_schema(scope.inputs.values(), None),
            annotations=tool_annotations(spec, "GET", open_world=False),
            invocation=None,
            output=output or self.kit.outputs.output(spec, path, scope, mock=True),
        )

    def tool_name(self, spec: Mapping[str, Any], path: Path) -> str:
        """The tool's name as MCP clients accept it; a name they refuse is published in a
        form they accept (a warning says which)."""
        name = str(spec["name"])
        published = names.mcp_tool_name(name)
        if published != name:
            self.diagnostics.warn(
                path + ("name",),
                "NG207",
                f"tool name {name!r} is not accepted by every MCP client; it is published "
                f"as {published!r}",
                expected="1 to 64 characters of A-Z, a-z, 0-9, `_` and `-`",
            )
        return published


@dataclasses.dataclass(frozen=True)
class _ToolArguments:
    """The arguments a tool that declares none takes from what it calls: every ``with``
    reference, unfed path placeholder and unfed declared query, header or cookie parameter,
    required only when the upstream says so or it is a path placeholder (agents leave
    optional filters out). The caller's credentials are no argument when the API has its own.
    """

    api: ir.ConsumedApi
    operation: ir.ConsumedOperation
    declared: bool
    """The tool declares its inputs: it takes nothing else."""

    def __call__(
        self, reference: str, param: ir.ConsumedParam, *, source: Wanted = "with"
    ) -> ir.ExposedInput | None:
        if self.api.authentication is not None and is_credential_header(param, self.api):
            return DROPPED
        if self.declared or param.location == "body":
            return None
        required = param.location == "path" or param.required_declared
        return implicit_input(reference, param, self.operation, required=required)


def reserve_arguments(scope: Scope, invocation: ir.Invocation) -> ir.Invocation:
    """Make room for the ``body`` and ``query`` arguments that carry the JSON body and free
    query pairs: a declared ``body`` input is the body itself; an upstream query, header or
    cookie parameter called ``body`` is not offered; an input called ``query`` takes the
    name, and the free-form ``query`` argument is not offered."""
    if invocation.forward_body:
        clash = scope.inputs.get("body")
        if clash is not None and clash.location in ("query", "header", "cookie"):
            kept = [
                (param, source)
                for param, source in invocation.arguments
                if source != ir.InputValue(clash.ident)
            ]
            invocation = dataclasses.replace(invocation, arguments=tuple(kept))
        if clash is None or clash.location != "path":
            scope.inputs.pop("body", None)
    if invocation.forward_query and "query" in scope.inputs:
        invocation = dataclasses.replace(invocation, forward_query=False)
    return invocation


def tool_annotations(
    spec: Mapping[str, Any], method: str, *, open_world: bool = True
) -> ir.ToolAnnotations:
    """Annotations: explicit ``hints`` win, then an aggregate's ``semantics``, then the HTTP
    method (GET read-only and idempotent, PUT idempotent, DELETE destructive and idempotent,
    POST neither)."""
    read_only, destructive, idempotent = DERIVED_HINTS.get(method, (False, False, False))
    semantics = spec.get("semantics") or {}
    if "safe" in semantics:
        read_only = bool(semantics["safe"])
        destructive = destructive and not read_only
    idempotent = bool(semantics.get("idempotent", idempotent))
    hints = spec.get("hints") or {}
    return ir.ToolAnnotations(
        read_only=hints.get("readOnly", read_only),
        destructive=hints.get("destructive", destructive),
        idempotent=hints.get("idempotent", idempotent),
        open_world=hints.get("openWorld", open_world),
    )


def tool_input_schema(
    inputs: Iterable[ir.ExposedInput], invocation: ir.Invocation | None
) -> dict[str, Any]:
    """The JSON Schema of a tool's arguments."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for item in inputs:
        properties[item.name] = item.json_schema
        if item.required:
            required.append(item.name)
    if invocation is not None and invocation.forward_body:
        body = invocation.operation.body_param
        contract = invocation.operation.contract
        description = (body.description if body else "") or (
            contract.request_description if contract else ""
        )
        typed = contract.request if contract is not None else None
        properties["body"] = {
            **({"type": body.type if body else "object"} if typed is None else typed),
            "description": description or "JSON request body sent to the upstream API.",
        }
        if (body is not None and body.required_declared) or (
            contract is not None and contract.request_required
        ):
            required.append("body")
    if invocation is not None and invocation.forward_query:
        properties["query"] = {
            "type": "object",
            "description": "Query-string parameters passed to the upstream API "
            "(for example `limit` and `token` to page a list).",
            "additionalProperties": {
                "type": ["string", "number", "boolean", "array"],
                "items": {"type": ["string", "number", "boolean"]},
            },
        }
    defs: dict[str, Any] = {}
    properties = {name: hoist_defs(value, defs, DEFS_PREFIX) for name, value in properties.items()}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    if defs:
        schema["$defs"] = defs
    return schema


def structured_schema(operation: ir.ConsumedOperation) -> dict[str, Any] | None:
    """The ``outputSchema`` of a tool passing the answer through: the answer's schema when
    it is an object, else ``{"result": ...}`` as the structured content wraps it."""
    answer = contract_answer(operation)
    if answer is None:
        return None
    if ir.schema_type(answer) == "object":
        return answer
    defs: dict[str, Any] = {}
    wrapped = {"type": "object", "properties": {"result": hoist_defs(answer, defs, DEFS_PREFIX)}}
    return {**wrapped, "$defs": defs} if defs else wrapped
