"""What makes an MCP tool easy for an agent to use, settled at build time: a title, a
description that says what the tool calls, a description on every argument, and the
optional projection argument (a JSONPath) on every tool with a JSON answer, with an output
schema that accepts the partial answers it and the answer-size cap produce.

Nothing here invents a fact: titles, descriptions and argument notes are taken from the
spec (labels, descriptions, the called operation's method, path and API).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from .. import ir, names

PROJECTION_ARGUMENT = "jsonpath"
"""The projection argument's name; ``jsonpath_2``, ``jsonpath_3``… when a tool has an
argument of that name already."""

PARTIAL_ANSWER: dict[str, Any] = {
    "type": "object",
    "properties": {"matches": {"type": "array"}, "truncated": {"type": "string"}},
    "additionalProperties": False,
    "minProperties": 1,
    "maxProperties": 1,
}
"""The structured content of a projected (``matches``) or truncated (``truncated``) answer."""

_PARTIAL_KEYS = frozenset(PARTIAL_ANSWER["properties"])
_OPEN_OBJECT_KEYWORDS = frozenset({"type", "properties", "description", "title", "$defs"})
_FIRST_SENTENCE = re.compile(r"^(.+?)(?:\.\s|\.$|\n|$)")
_TITLE_LENGTH = 64


def for_agents(tool: ir.McpTool, spec: Mapping[str, Any]) -> ir.McpTool:
    """``tool`` with its title, described calls and arguments, projection argument and
    tags (``spec``: the tool as written)."""
    schema = dict(tool.input_schema)
    properties = {
        name: _described(name, value, tool)
        for name, value in dict(schema.get("properties", {})).items()
    }
    projection = None
    if _answers_json(tool):
        projection = names.unique(PROJECTION_ARGUMENT, set(properties))
        properties[projection] = {
            "type": "string",
            "description": "Optional JSONPath (RFC 9535) selecting the part of the answer "
            'to return, e.g. `$.items[*].id`; the answer is then `{"matches": [...]}`.',
        }
    schema["properties"] = properties
    return dataclasses.replace(
        tool,
        title=tool.title or _title(tool),
        description=_description(tool),
        input_schema=_ordered(schema),
        projection=projection,
        output_schema=accepting_partial_answers(tool.output.mcp_schema),  # any answer may be cut
        tags=tuple(str(tag) for tag in spec.get("tags") or ()),
    )


def accepting_partial_answers(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """``schema``, or when it would refuse ``{"matches": [...]}`` or ``{"truncated": "..."}``
    (it requires properties, closes the object, types those keys…), the choice of it and
    :data:`PARTIAL_ANSWER`; ``None`` (no output schema) stays ``None``."""
    if schema is None:
        return None
    open_object = (
        schema.get("type") == "object"
        and set(schema) <= _OPEN_OBJECT_KEYWORDS
        and _PARTIAL_KEYS.isdisjoint(schema.get("properties", {}))
    )
    if open_object:
        return schema
    defs = schema.get("$defs")
    answer = {key: value for key, value in schema.items() if key != "$defs"}
    widened: dict[str, Any] = {"type": "object", "anyOf": [answer, PARTIAL_ANSWER]}
    return {**widened, "$defs": defs} if defs else widened


def _answers_json(tool: ir.McpTool) -> bool:
    """True when the tool's answer is JSON (computed, shaped, or a JSON upstream answer)."""
    if tool.invocation is None or tool.output.kind != "passthrough":
        return True
    return tool.invocation.operation.raw_format == "json"


def _title(tool: ir.McpTool) -> str:
    """The first sentence of the description when it is short, else the name in words."""
    match = _FIRST_SENTENCE.match(tool.description.strip())
    sentence = match.group(1).strip() if match else ""
    if sentence and len(sentence) <= _TITLE_LENGTH:
        return sentence
    words = " ".join(names.snake_words(tool.name))
    return words[:1].upper() + words[1:]


def _description(tool: ir.McpTool) -> str:
    """The spec's description, then what the tool calls."""
    said = tool.description.strip()
    calls = _calls(tool)
    if not said:
        return calls
    return said if calls in said else f"{said}\n\n{calls}"


def _calls(tool: ir.McpTool) -> str:
    """One sentence saying what the tool calls."""
    if tool.invocation is not None:
        return f"Calls {_operation(tool.invocation)}."
    called = ir.calls(None, tool.steps)
    if called:
        return "Calls, in order: " + "; ".join(_operation(call) for call in called) + "."
    if tool.steps:
        return "Computes its answer from its arguments; calls no API."
    return "Answers from its declared output values; calls no API."


def _operation(invocation: ir.Invocation) -> str:
    operation = invocation.operation
    return f"{operation.method} {operation.path} of the API `{invocation.api.namespace}`"


def _described(name: str, value: Any, tool: ir.McpTool) -> Any:
    """An argument's schema with a description: its own, else the upstream parameter it
    feeds."""
    if not isinstance(value, dict) or value.get("description"):
        return value
    return {**value, "description": _argument_note(name, tool)}


def _argument_note(name: str, tool: ir.McpTool) -> str:
    ident = next((item.ident for item in tool.inputs if item.name == name), None)
    read = ir.InputValue(ident) if ident is not None else None
    for call in ir.calls(tool.invocation, tool.steps):
        for param, source in call.arguments:
            if source == read:
                where = "header" if param.location == "header" else f"{param.location} parameter"
                return (
                    f"Sent as the {where} `{param.name}` of "
                    f"{call.operation.method} {call.operation.path}."
                )
    return f"The tool's argument `{name}`."


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its keywords in the order the compiler writes them."""
    order = ("type", "properties", "required", "additionalProperties", "$defs")
    return {key: schema[key] for key in order if key in schema} | schema
