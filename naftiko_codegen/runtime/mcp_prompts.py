"""The prompts of an MCP server: listed as declared, rendered with their arguments."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import mcp_types as types
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

PromptBuilder = Callable[[dict[str, str]], types.GetPromptResult]
"""Renders one prompt from its arguments."""


class PromptSet:
    """The prompts of a server, as ``prompts/list`` reports them, and their builders."""

    def __init__(
        self, prompts: Sequence[types.Prompt], builders: Mapping[str, PromptBuilder]
    ) -> None:
        self.prompts = tuple(prompts)
        self.builders = dict(builders)

    def get(self, name: str, arguments: dict[str, str]) -> types.GetPromptResult:
        """Render the prompt ``name``; unknown prompts and missing arguments are errors."""
        build = self.builders.get(name)
        prompt = next((p for p in self.prompts if p.name == name), None)
        if build is None or prompt is None:
            raise MCPError(INVALID_PARAMS, f"Unknown prompt {name!r}")
        missing = [
            a.name
            for a in prompt.arguments or []
            if a.required and a.name not in arguments
        ]
        if missing:
            raise MCPError(
                INVALID_PARAMS,
                f"Prompt {name!r} needs the arguments: {', '.join(missing)}",
            )
        return build(arguments)
