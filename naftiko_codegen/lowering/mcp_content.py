"""Lowering of MCP resources (read through a call, or files embedded at build time) and
prompts (templates, or files compiled at build time)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import ir, names
from ..diagnostics import Path
from ..mustache import TemplateSyntaxError
from . import files as files_
from .context import SkipOperation
from .scope import Scope, require_action
from .toolkit import Toolkit
from .values import compile_template


class McpContent:
    """Builds the resources and prompts of an MCP adapter."""

    def __init__(self, toolkit: Toolkit) -> None:
        self.kit = toolkit
        self.diagnostics = toolkit.diagnostics

    def resources(
        self, namespace: str, spec: Mapping[str, Any], path: Path
    ) -> tuple[tuple[ir.McpResource, ...], tuple[ir.McpFileResource, ...]]:
        """The adapter's resources read through calls, and its file resources (by URI)."""
        resources: list[ir.McpResource] = []
        files: dict[str, ir.McpFileResource] = {}
        for index, resource in enumerate(spec.get("resources", [])):
            r_path = path + ("resources", index)
            try:
                if "location" in resource:
                    for item in self.file_resource(resource, r_path):
                        if item.uri in files:
                            raise self.diagnostics.skip(
                                r_path + ("uri",),
                                "NG204",
                                f"resource URI {item.uri!r} is served twice",
                            )
                        files[item.uri] = item
                    continue
                resources.append(self.resource(namespace, resource, r_path))
            except SkipOperation:
                continue
        return tuple(resources), tuple(files.values())

    def prompts(self, spec: Mapping[str, Any], path: Path) -> tuple[ir.McpPrompt, ...]:
        """The adapter's prompts; a prompt with a problem is skipped."""
        prompts: list[ir.McpPrompt] = []
        for index, prompt in enumerate(spec.get("prompts", [])):
            try:
                prompts.append(self.prompt(prompt, path + ("prompts", index)))
            except SkipOperation:
                continue
        return tuple(prompts)

    def read_files(
        self, location: str, path: Path, *, allow_dir: bool
    ) -> list[files_.EmbeddedFile]:
        """The files ``location`` names, read now; a problem is a located error."""
        directory = self.diagnostics.document.directory
        try:
            return files_.read_location(location, directory, allow_dir=allow_dir)
        except files_.FileProblem as problem:
            self.diagnostics.fail(
                path, problem.code, problem.message, found=f"`{location}`", hint=problem.hint
            )

    def file_resource(self, spec: Mapping[str, Any], path: Path) -> list[ir.McpFileResource]:
        """A file (one resource) or a directory (one resource per file, ``uri/relative``)."""
        uri = str(spec["uri"])
        if re.search(r"\{[^{}]+\}", uri):
            raise self.diagnostics.skip(
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

    def resource(self, namespace: str, spec: Mapping[str, Any], path: Path) -> ir.McpResource:
        """A resource read through a consumed operation; ``{x}`` in the URI makes a template."""
        require_action(self.diagnostics, spec, path)
        if "call" not in spec:
            raise self.diagnostics.skip(path, "NG211", "a resource needs `call`")
        uri = str(spec["uri"])
        scope = Scope(self.diagnostics, namespace, path)
        pattern, position = [], 0
        for match in re.finditer(r"\{([^{}]+)\}", uri):
            pattern.append(re.escape(uri[position : match.start()]))
            pattern.append(f"(?P<p{len(scope.inputs)}>[^/]+)")
            name = match.group(1).strip()
            scope.add(ir.ExposedInput(name, names.identifier(name), "path", "string", True, ""))
            position = match.end()
        pattern.append(re.escape(uri[position:]))
        api, operation = self.kit.calls.resolve(spec["call"], path + ("call",))
        invocation = self.kit.arguments.invocation(
            api, operation, spec.get("with", {}), scope, path
        )
        output = self.kit.outputs.output(spec, path, scope)
        self.kit.outputs.check_format(invocation, output, path)
        return ir.McpResource(
            name=str(spec["name"]),
            ident=names.identifier(str(spec["name"])),
            title=spec.get("label"),
            uri=uri,
            description=str(spec.get("description") or ""),
            mime_type=spec.get("mimeType"),
            inputs=tuple(scope.inputs.values()),
            pattern="".join(pattern),
            invocation=invocation,
            output=output,
        )

    def prompt(self, spec: Mapping[str, Any], path: Path) -> ir.McpPrompt:
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
        scope = Scope(self.diagnostics, "", path)
        for argument in arguments:
            scope.add(
                ir.ExposedInput(
                    argument.name,
                    argument.ident,
                    "body",
                    "string",
                    argument.required,
                    argument.description,
                )
            )
        if "location" in spec:
            messages: tuple[tuple[Any, ir.ValueSource], ...] = (
                ("user", self.prompt_file(str(spec["location"]), path, scope)),
            )
        else:
            messages = tuple(
                (
                    message["role"],
                    self.kit.values.compile(
                        str(message["content"]),
                        path + ("template", index, "content"),
                        scope,
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

    def prompt_file(self, location: str, path: Path, scope: Scope) -> ir.ValueSource:
        """A prompt file's text as a template over the prompt's arguments only.

        Bound variables are never interpolated into prompts (they would reach any client).
        """
        [found] = self.read_files(location, path + ("location",), allow_dir=False)
        text = found.text()
        if text is None:
            self.diagnostics.fail(path + ("location",), "NG006", f"{location} is not UTF-8 text")

        def argument(name: str) -> ir.TemplatePart:
            found = scope.find(name) if scope.inputs else None
            if found is None:
                raise TemplateSyntaxError(f"`{{{{{name}}}}}` names no argument of the prompt")
            return ir.InputValue(found.ident)

        try:
            return compile_template(text, argument)
        except TemplateSyntaxError as error:
            raise self.diagnostics.skip(
                path + ("location",), "NG202", f"{location}: {error}", found=f"`{location}`"
            ) from None
