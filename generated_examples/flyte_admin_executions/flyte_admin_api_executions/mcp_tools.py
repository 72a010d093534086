"""The tools of an MCP server: listed as declared (less those the run-time selection leaves
out), called with validated arguments, answers narrowed by the projection argument and
capped in size, every failure a tool result the model can act on."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import mcp_types as types
from jsonschema import Draft202012Validator

from .errors import InputError, StepFailed, UpstreamError, log_unexpected
from .mcp_answers import capped, projected, projection_error
from .mcp_results import tool_error
from .mcp_selection import DEFAULT_MAX_ANSWER_BYTES, ToolSelection

_logger = logging.getLogger(__name__)

ToolHandler = Callable[..., Awaitable[types.CallToolResult]]
"""A tool's function: the server's context (upstream clients, settings), then the
arguments."""


class ToolSet:
    """The tools of a server, as ``tools/list`` reports them, and their functions by name.

    ``projections`` names, by tool, the optional argument taking a JSONPath that selects
    part of the answer; ``tags`` are the tools' tags (for :class:`ToolSelection`). Answers
    over ``max_answer_bytes`` are cut (0: never).
    """

    def __init__(
        self,
        tools: Sequence[types.Tool],
        handlers: Mapping[str, ToolHandler],
        *,
        projections: Mapping[str, str] | None = None,
        tags: Mapping[str, Sequence[str]] | None = None,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self.tools = tuple(tools)
        self.handlers = {tool.name: handlers[tool.name] for tool in self.tools}
        self.projections = {
            name: argument
            for name, argument in (projections or {}).items()
            if name in self.handlers
        }
        self.tags = (
            {name: tuple(tags.get(name, ())) for name in self.handlers} if tags else {}
        )
        self.max_answer_bytes = max_answer_bytes
        self.schemas: dict[str, Mapping[str, Any]] = {
            tool.name: tool.input_schema for tool in self.tools
        }
        self._validators = {
            name: Draft202012Validator(schema) for name, schema in self.schemas.items()
        }

    def serving(self, selection: ToolSelection, max_answer_bytes: int) -> ToolSet:
        """The tools ``selection`` admits, in their declared order, answers capped at
        ``max_answer_bytes``."""
        kept = [
            tool
            for tool in self.tools
            if selection.admits(
                tool.name,
                bool(tool.annotations and tool.annotations.read_only_hint),
                self.tags.get(tool.name, ()),
            )
        ]
        return ToolSet(
            kept,
            self.handlers,
            projections=self.projections,
            tags=self.tags,
            max_answer_bytes=max_answer_bytes,
        )

    def input_schema(self, name: str) -> Mapping[str, Any] | None:
        """The input schema of the tool ``name`` (``None`` for an unknown tool)."""
        return self.schemas.get(name)

    async def call(
        self, name: str, arguments: dict[str, Any], *context: Any
    ) -> types.CallToolResult:
        """Validate the arguments, call the tool with ``context`` and them, and shape its
        result; never raises."""
        handler = self.handlers.get(name)
        if handler is None:
            return tool_error(
                f"Unknown tool {name!r}. Available tools: {', '.join(self.handlers)}."
            )
        problems = sorted(
            self._validators[name].iter_errors(arguments),
            key=lambda error: list(error.absolute_path),
        )
        if problems:
            details = "; ".join(
                f"{'.'.join(str(p) for p in error.absolute_path) or 'arguments'}: "
                f"{error.message}"
                for error in problems
            )
            return tool_error(f"Invalid arguments for tool {name!r}: {details}")
        projection = self.projections.get(name)
        path = arguments.pop(projection, None) if projection is not None else None
        if path is not None and projection is not None:
            refused = projection_error(path, projection)
            if refused is not None:
                return refused
        result = await self._answer(name, handler, arguments, context)
        if path is not None and projection is not None:
            result = projected(result, path, projection)
        return capped(result, self.max_answer_bytes, projection)

    async def _answer(
        self,
        name: str,
        handler: ToolHandler,
        arguments: dict[str, Any],
        context: tuple[Any, ...],
    ) -> types.CallToolResult:
        """The handler's result, every failure turned into an error result."""
        try:
            return await handler(*context, arguments)
        except UpstreamError as error:
            return tool_error(
                f"{error.namespace}.{error.operation} failed: {error.detail}"
            )
        except InputError as error:
            return tool_error(f"Invalid argument {error.field!r}: {error.message}")
        except StepFailed as error:
            return tool_error(
                f"Step {error.step!r} failed, later steps were not run: {error.detail}"
            )
        except Exception as error:  # noqa: BLE001 - the server must survive any call
            request_id = log_unexpected(_logger, f"tool {name}", error)
            return tool_error(
                f"Tool {name!r} failed unexpectedly; the server log names it "
                f"request {request_id}."
            )
