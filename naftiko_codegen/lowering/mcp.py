"""Lowering of MCP adapters."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

from .. import ir, names
from ..diagnostics import Path, Severity
from ..mustache import TemplateSyntaxError, tokens
from . import files as files_
from .base import (
    _DERIVED_HINTS,
    _DROPPED,
    _SkipOperation,
    add_input,
    implicit_input,
    is_credential_header,
)
from .calls import CallSite, call_positions
from .steps import StepsLowering


class McpLowering(StepsLowering):
    """Builds :class:`ir.McpAdapter` values."""

    def lower_mcp(self, spec: Mapping[str, Any], path: Path, key: str) -> ir.McpAdapter:
        """Lower an MCP adapter; tools with per-tool problems are skipped."""
        tools: list[ir.McpTool] = []
        tool_names: set[str] = set()
        idents: set[str] = set()
        specs = list(spec.get("tools", []))
        positions = call_positions([tool.get("call") for tool in specs])
        for index, tool in enumerate(specs):
            site = CallSite(position=positions[index])
            try:
                lowered = self.lower_tool(spec["namespace"], tool, path + ("tools", index), site)
            except _SkipOperation:
                continue
            tools.append(
                dataclasses.replace(
                    lowered,
                    name=names.unique(lowered.name, tool_names, separator="-"),
                    ident=names.unique(lowered.ident, idents),
                )
            )
        resources: list[ir.McpResource] = []
        files: dict[str, ir.McpFileResource] = {}
        for index, resource in enumerate(spec.get("resources", [])):
            r_path = path + ("resources", index)
            try:
                if "location" in resource:
                    for item in self.lower_file_resource(resource, r_path):
                        if item.uri in files:
                            raise self.skip(
                                r_path + ("uri",),
                                "NG204",
                                f"resource URI {item.uri!r} is served twice",
                            )
                        files[item.uri] = item
                    continue
                resources.append(self.lower_resource(spec["namespace"], resource, r_path))
            except _SkipOperation:
                continue
        prompts: list[ir.McpPrompt] = []
        for index, prompt in enumerate(spec.get("prompts", [])):
            try:
                prompts.append(self.lower_prompt(prompt, path + ("prompts", index)))
            except _SkipOperation:
                continue
        transport = cast(Any, spec.get("transport", "http"))
        return ir.McpAdapter(
            namespace=spec["namespace"],
            module=key.replace("mcp", "mcp_server", 1),
            key=key,
            port=int(spec["port"]) if "port" in spec else None,
            transport=transport,
            description=str(spec.get("description") or ""),
            tools=tuple(tools),
            resources=tuple(resources),
            prompts=tuple(prompts),
            files=tuple(files.values()),
            authentication=self.exposed_auth(
                spec.get("authentication"), path + ("authentication",)
            ),
        )

    def lower_tool(
        self, namespace: str, spec: Mapping[str, Any], path: Path, site: CallSite
    ) -> ir.McpTool:
        """Lower one MCP tool, deriving its arguments where it declares none."""
        spec = self.resolve_ref(spec, path)
        self.unsupported_shapes(spec, path)
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
            add_input(inputs, exposed)
        if "steps" in spec:
            steps, output = self.lower_steps(spec, inputs, namespace, path)
            tool = self.mock_tool(spec, inputs, path, output)
            return dataclasses.replace(
                tool, steps=steps, annotations=self.annotations(spec, "POST")
            )
        if "call" not in spec:
            return self.mock_tool(spec, inputs, path)
        api, operation = self.resolve_call(spec["call"], path + ("call",), site)
        declared_inputs = bool(inputs)

        def implicit(
            reference: str, param: ir.ConsumedParam, *, source: str = "with"
        ) -> ir.ExposedInput | None:
            if api.authentication is not None and is_credential_header(param, api):
                return _DROPPED
            if declared_inputs or param.location == "body":
                return None
            # Agents leave optional filters out: required only when the upstream says so.
            required = param.location == "path" or param.required_declared
            return implicit_input(reference, param, operation, required=required)

        invocation = self.invocation(
            api, operation, spec.get("with", {}), inputs, implicit, namespace, path
        )
        invocation = dataclasses.replace(
            invocation, forward_query=operation.method == "GET" and not operation.query_params
        )
        if invocation is not None and invocation.forward_body:
            inputs.pop("body", None)
        output = self.output(spec, path, inputs)
        self.check_format(invocation, output, path)
        if operation.raw_format == "binary":
            output = dataclasses.replace(output, schema=None)  # bytes: no structured content
        return ir.McpTool(
            name=self.tool_name(spec, path),
            ident=names.identifier(spec["name"]),
            title=spec.get("label"),
            description=str(spec.get("description") or operation.description),
            inputs=tuple(inputs.values()),
            input_schema=tool_input_schema(inputs.values(), invocation),
            annotations=self.annotations(spec, operation.method),
            invocation=invocation,
            output=output,
        )

    def mock_tool(
        self,
        spec: Mapping[str, Any],
        inputs: dict[str, ir.ExposedInput],
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
            inputs=tuple(inputs.values()),
            input_schema=tool_input_schema(inputs.values(), None),
            annotations=self.annotations(spec, "GET", open_world=False),
            invocation=None,
            output=output or self.output(spec, path, inputs, mock=True),
        )

    def read_files(
        self, location: str, path: Path, *, allow_dir: bool
    ) -> list[files_.EmbeddedFile]:
        """The files ``location`` names, read now; a problem is a located error."""
        try:
            return files_.read_location(location, self.doc.directory, allow_dir=allow_dir)
        except files_.FileProblem as problem:
            self.report(
                path, problem.code, problem.message, found=f"`{location}`", hint=problem.hint
            )
            raise _SkipOperation() from None

    def lower_file_resource(self, spec: Mapping[str, Any], path: Path) -> list[ir.McpFileResource]:
        """A file (one resource) or a directory (one resource per file, ``uri/relative``)."""
        uri = str(spec["uri"])
        if re.search(r"\{[^{}]+\}", uri):
            raise self.skip(
                path + ("uri",),
                "NG211",
                "a file resource cannot be a template (`{...}` in its URI)",
            )
        found = self.read_files(str(spec["location"]), path + ("location",), allow_dir=True)
        declared = spec.get("mimeType")
        return [
            ir.McpFileResource(
                name=str(spec["name"]),
                title=spec.get("label"),
                uri=files_.file_uri(uri, item.relative),
                description=str(spec.get("description") or ""),
                size=len(item.data),
                contents=item.contents(declared),
            )
            for item in found
        ]

    def lower_resource(self, namespace: str, spec: Mapping[str, Any], path: Path) -> ir.McpResource:
        """A resource read through a consumed operation; ``{x}`` in the URI makes a template."""
        self.unsupported_shapes(spec, path)
        if "call" not in spec:
            raise self.skip(path, "NG211", "a resource needs `call`")
        uri = str(spec["uri"])
        inputs: dict[str, ir.ExposedInput] = {}
        pattern, position = [], 0
        for match in re.finditer(r"\{([^{}]+)\}", uri):
            pattern.append(re.escape(uri[position : match.start()]))
            pattern.append(f"(?P<p{len(inputs)}>[^/]+)")
            name = match.group(1).strip()
            add_input(
                inputs, ir.ExposedInput(name, names.identifier(name), "path", "string", True, "")
            )
            position = match.end()
        pattern.append(re.escape(uri[position:]))
        api, operation = self.resolve_call(spec["call"], path + ("call",))

        def implicit(
            reference: str, param: ir.ConsumedParam, *, source: str = "with"
        ) -> ir.ExposedInput | None:
            return None

        invocation = self.invocation(
            api, operation, spec.get("with", {}), inputs, implicit, namespace, path
        )
        output = self.output(spec, path, inputs)
        self.check_format(invocation, output, path)
        return ir.McpResource(
            name=str(spec["name"]),
            ident=names.identifier(str(spec["name"])),
            title=spec.get("label"),
            uri=uri,
            description=str(spec.get("description") or ""),
            mime_type=spec.get("mimeType"),
            inputs=tuple(inputs.values()),
            pattern="".join(pattern),
            invocation=invocation,
            output=output,
        )

    def lower_prompt(self, spec: Mapping[str, Any], path: Path) -> ir.McpPrompt:
        """A prompt template; ``{{arg}}`` in message text interpolates an argument.

        A ``location`` prompt is one ``user`` message: the file's text, compiled now.
        """
        taken: set[str] = set()
        arguments = tuple(
            ir.PromptArgument(
                name=str(argument["name"]),
                ident=names.unique(names.identifier(str(argument["name"])), taken),
                title=argument.get("label"),
                description=str(argument.get("description") or ""),
                required=bool(argument.get("required", True)),
            )
            for argument in spec.get("arguments", [])
        )
        inputs: dict[str, ir.ExposedInput] = {}
        for argument in arguments:
            add_input(
                inputs,
                ir.ExposedInput(
                    argument.name,
                    argument.ident,
                    "body",
                    "string",
                    argument.required,
                    argument.description,
                ),
            )
        if "location" in spec:
            messages: tuple[tuple[Any, ir.ValueSource], ...] = (
                ("user", self.prompt_file(str(spec["location"]), path, inputs)),
            )
        else:
            messages = tuple(
                (
                    message["role"],
                    self.compile_value(
                        str(message["content"]),
                        path + ("template", index, "content"),
                        inputs,
                        skip_on_error=True,
                    ),
                )
                for index, message in enumerate(spec.get("template", []))
            )
        return ir.McpPrompt(
            name=str(spec["name"]),
            ident=names.identifier(str(spec["name"])),
            title=spec.get("label"),
            description=str(spec.get("description") or ""),
            arguments=arguments,
            messages=messages,
        )

    def prompt_file(
        self, location: str, path: Path, inputs: Mapping[str, ir.ExposedInput]
    ) -> ir.ValueSource:
        """A prompt file's text as a template over the prompt's arguments only.

        Bound variables are never interpolated into prompts (they would reach any client).
        """
        [found] = self.read_files(location, path + ("location",), allow_dir=False)
        text = found.text()
        if text is None:
            self.report(path + ("location",), "NG006", f"{location} is not UTF-8 text")
            raise _SkipOperation()
        parts: list[ir.TemplatePart] = []
        try:
            for is_variable, name in tokens(text):
                if not is_variable:
                    parts.append(ir.TemplatePart("text", name))
                    continue
                argument = self.find_input(name, inputs, path) if inputs else None
                if argument is None:
                    raise TemplateSyntaxError(f"`{{{{{name}}}}}` names no argument of the prompt")
                parts.append(ir.TemplatePart("input", argument.ident))
        except TemplateSyntaxError as error:
            raise self.skip(
                path + ("location",), "NG202", f"{location}: {error}", found=f"`{location}`"
            ) from None
        return ir.ValueSource("template", parts=tuple(parts))

    def tool_name(self, spec: Mapping[str, Any], path: Path) -> str:
        """The tool's name as MCP clients accept it; a name they refuse is published in a
        form they accept (a warning says which)."""
        name = str(spec["name"])
        published = names.mcp_tool_name(name)
        if published != name:
            self.report(
                path + ("name",),
                "NG207",
                f"tool name {name!r} is not accepted by every MCP client; it is published "
                f"as {published!r}",
                severity=Severity.WARNING,
                expected="1 to 64 characters of A-Z, a-z, 0-9, `_` and `-`",
            )
        return published

    @staticmethod
    def annotations(
        spec: Mapping[str, Any], method: str, *, open_world: bool = True
    ) -> ir.ToolAnnotations:
        """Annotations: explicit ``hints`` win, then an aggregate's ``semantics``, then the
        HTTP method (GET read-only and idempotent, PUT idempotent, DELETE destructive and
        idempotent, POST neither)."""
        read_only, destructive, idempotent = _DERIVED_HINTS.get(method, (False, False, False))
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
        properties["body"] = {
            "type": body.type if body else "object",
            "description": (body.description if body else "")
            or "JSON request body sent to the upstream API.",
        }
        if body is not None and body.required_declared:
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
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema
