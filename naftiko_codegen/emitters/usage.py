"""What a generated module uses: the inputs a unit reads and the runtime helpers an adapter
module's template text calls (those its expressions call are recorded by the
:class:`~naftiko_codegen.emitters.expressions.Emitter` that writes them)."""

from __future__ import annotations

from collections.abc import Iterable

from .. import ir
from ..pylayout import ident, py


def adapter_mcp_runtime_imports(adapter: ir.McpAdapter) -> list[str]:
    """The MCP runtime helpers (tool results and arguments) an MCP adapter module calls."""
    calling = [tool for tool in adapter.tools if tool.invocation is not None]
    invocations = [tool.invocation for tool in calling if tool.invocation is not None]
    used: set[str] = set()
    if any(invocation.forward_body for invocation in invocations):
        used.add("body_argument")
    if any(invocation.forward_query for invocation in invocations):
        used.add("query_argument")
    binary = [tool for tool in calling if _raw_format(tool) == "binary"]
    if binary:
        used.add("binary_result")
    if any(tool.output.kind != "shaped" and tool not in binary for tool in calling):
        used.add("tool_result")
    for tool in adapter.tools:
        if tool.steps or tool.output.kind == "mock":
            used.add("value_result")
        if tool.output.kind == "shaped":
            used.add("shaped_result")
    return sorted(used)


def _raw_format(tool: ir.McpTool) -> str:
    return tool.invocation.operation.raw_format if tool.invocation else "json"


def unit_sources(unit: ir.RestOperation | ir.McpTool | ir.McpResource) -> list[ir.ValueSource]:
    """Every value source an operation, tool or resource evaluates (nested ones included)."""
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
    return [nested for source in sources for nested in ir.nested_sources(source)]


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


def adapter_step_imports(adapter: ir.RestAdapter | ir.McpAdapter) -> list[str]:
    """The step helpers an adapter module calls: ``run_step`` for calls, ``lookup``, and the
    runner of each script language."""
    units = adapter.operations if isinstance(adapter, ir.RestAdapter) else adapter.tools
    steps = [step for unit in units for step in unit.steps]
    calls = any(isinstance(step, ir.CallStep) for step in steps)
    lookups = any(isinstance(step, ir.LookupStep) for step in steps)
    languages = {step.language for step in steps if isinstance(step, ir.ScriptStep)}
    runners = [RUNNERS[language] for language in sorted(languages)]
    return ["run_step"] * calls + ["lookup"] * lookups + runners


RUNNERS = {"python": "run_script", "javascript": "run_javascript"}
"""The runtime function running the script steps of each language."""


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
