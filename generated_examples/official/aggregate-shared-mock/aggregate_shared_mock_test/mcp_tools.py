"""The tools of an MCP server: listed as declared, called with validated arguments, every
failure a tool result the model can act on."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import mcp_types as types
from jsonschema import Draft202012Validator

from .errors import InputError, StepFailed, UpstreamError
from .mcp_results import tool_error

_logger = logging.getLogger(__name__)

ToolHandler = Callable[..., Awaitable[types.CallToolResult]]
"""A tool's function: the server's context (upstream clients, settings), then the
arguments."""


class ToolSet:
    """The tools of a server, as ``tools/list`` reports them, and their functions by name."""

    def __init__(
        self, tools: Sequence[types.Tool], handlers: Mapping[str, ToolHandler]
    ) -> None:
        self.tools = tuple(tools)
        self.handlers = dict(handlers)
        self.schemas: dict[str, Mapping[str, Any]] = {
            tool.name: tool.input_schema for tool in self.tools
        }
        self._validators = {
            name: Draft202012Validator(schema) for name, schema in self.schemas.items()
        }

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
        except Exception as error:  # the server must survive any single call
            request_id = uuid.uuid4().hex[:16]
            _logger.error(
                "request %s: tool %s failed unexpectedly: %s",
                request_id,
                name,
                type(error).__name__,
                exc_info=error,
            )
            return tool_error(
                f"Tool {name!r} failed unexpectedly; the server log names it "
                f"request {request_id}."
            )
