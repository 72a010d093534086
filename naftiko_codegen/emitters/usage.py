"""What a generated unit reads: the value sources it evaluates and the inputs they read.

(The runtime names a module imports are not worked out here: the module's
:class:`~naftiko_codegen.emitters.expressions.Emitter` records each one its code writes.)"""

from __future__ import annotations

from collections.abc import Iterable

from .. import ir
from ..pylayout import ident, py


def unit_sources(unit: ir.RestOperation | ir.McpTool | ir.McpResource) -> list[ir.ValueSource]:
    """The value sources an operation, tool or resource evaluates (each may nest others)."""
    sources: list[ir.ValueSource] = []
    steps = () if isinstance(unit, ir.McpResource) else unit.steps
    invocations = ir.calls(unit.invocation, steps)
    sources += [source for step in steps for source in step.sources]
    for invocation in invocations:
        sources += [v for _, v in invocation.arguments]
        if invocation.body is not None:
            sources += ir.body_sources(invocation.body)
    shapes = [unit.output.shape] if unit.output.shape is not None else []
    while shapes:
        shape = shapes.pop()
        if isinstance(shape, ir.ValueShape):
            sources.append(shape.value)
        shapes += ir.shape_parts(shape)
    return sources


def used_inputs(unit: ir.RestOperation | ir.McpTool | ir.McpResource) -> set[str]:
    """Python names of the inputs an operation's call, body or mock output reads."""
    return {name for source in unit_sources(unit) for name in ir.read_inputs(source)}


def reads_path_input(units: Iterable[ir.RestOperation | ir.McpResource]) -> bool:
    """Whether one of ``units`` reads an input taken from its URL: a REST operation's path
    parameters, an MCP resource's URI template parameters (the module then imports the
    helper that decodes them)."""
    for unit in units:
        inputs = unit.path_inputs if isinstance(unit, ir.RestOperation) else unit.inputs
        used = used_inputs(unit)
        if any(item.ident in used for item in inputs):
            return True
    return False


def input_checks(op: ir.RestOperation) -> str:
    """``CHECKS.inputs(name, [(location, wire name, value), ...])`` for a route whose
    parameters carry OpenAPI schemas (``""``: nothing to check)."""
    if op.invocation is None or op.invocation.operation.contract is None:
        return ""
    used = used_inputs(op)
    checked = [
        f"({py(item.location)}, {py(item.name)}, {ident(item.ident)})"
        for item in op.inputs
        if item.schema is not None and item.location != "body" and item.ident in used
    ]
    return f"CHECKS.inputs({py(op.name)}, [{', '.join(checked)}])" if checked else ""


def cap_steps(capability: ir.Capability) -> list[ir.Step]:
    """Every step of every orchestrated operation and tool."""
    units: list[ir.RestOperation | ir.McpTool] = [
        op for adapter in capability.rest_adapters for op in adapter.operations
    ]
    units += [tool for adapter in capability.mcp_adapters for tool in adapter.tools]
    return [step for unit in units for step in unit.steps]


def cap_params(
    capability: ir.Capability, locations: tuple[str, ...], types: tuple[str, ...] | None = None
) -> bool:
    """True when some consumed parameter sits in ``locations`` (and has one of ``types``)."""
    return any(
        param.location in locations and (types is None or param.type in types)
        for api in capability.apis
        for operation in api.operations
        for param in operation.params
    )
