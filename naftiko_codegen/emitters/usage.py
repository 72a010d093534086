"""What a generated module uses: the inputs a unit reads and the runtime helpers an adapter
module calls (its imports are worked out from the IR, never from the emitted text)."""

from __future__ import annotations

from collections.abc import Iterable

from .. import ir
from ..pylayout import ident, py
from .expressions import COERCE, body_encoder, context_helpers, decoder_function


def _shape_helpers(shape: ir.Shape | None) -> set[str]:
    """The ``values`` helpers a shape's generated code calls."""
    if shape is None:
        return set()
    used = set()
    if shape.value is None:
        if shape.type in COERCE:
            used.add(COERCE[shape.type])
        if shape.path:
            used.add("dig")
        if shape.type == "array" or (shape.path and any(s.kind == "all" for s in shape.path)):
            used.add("as_list")
    elif shape.type in COERCE:
        used.add(COERCE[shape.type])
    for _, child in shape.properties:
        used |= _shape_helpers(child)
    return used | _shape_helpers(shape.items)


def adapter_value_imports(adapter: ir.RestAdapter | ir.McpAdapter) -> str:
    """The runtime helpers an adapter module calls to read, shape and decode values, to
    run steps and to read body inputs (the MCP result builders are listed apart)."""
    used: set[str] = set()
    units = adapter.operations if isinstance(adapter, ir.RestAdapter) else adapter.tools
    for unit in units:
        used |= _shape_helpers(unit.output.shape)
        if unit.steps:
            if any(step.invocation is not None for step in unit.steps):
                used.add("run_step")
            refs = [r for s in unit_sources(unit) for r in (s.ref, *(p.ref for p in s.parts))]
            for ref in refs:
                if ref is not None:
                    used |= context_helpers(ref)
            if isinstance(adapter, ir.McpAdapter):
                used.add("value_result")
        if unit.output.kind == "shaped":
            used.add("shaped" if isinstance(adapter, ir.RestAdapter) else "shaped_result")
            if unit.invocation is not None and unit.invocation.operation.raw_format != "json":
                used.add(decoder_function(unit.invocation.operation.raw_format))
        if unit.output.kind == "mock" and isinstance(adapter, ir.McpAdapter):
            used.add("value_result")
    if isinstance(adapter, ir.RestAdapter) and adapter.needs("body"):
        used |= {"body_input", "json_payload"}
    used |= body_encoders(adapter) & {"encode_form"}
    used -= _MCP_RUNTIME
    return ", ".join(sorted(used, key=lambda name: (not name[0].isupper(), name)))


_MCP_RUNTIME = {"value_result", "shaped_result"}
"""Value helpers that build MCP tool results (:func:`adapter_mcp_runtime_imports` lists them)."""


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


def body_encoders(adapter: ir.RestAdapter | ir.McpAdapter) -> set[str]:
    """The encoders an adapter's spec-defined bodies use."""
    units = adapter.operations if isinstance(adapter, ir.RestAdapter) else adapter.tools
    return {
        encoder
        for unit in units
        if unit.invocation is not None and unit.invocation.body is not None
        for encoder in [body_encoder(unit.invocation.body)]
        if encoder is not None
    }


def unit_sources(unit: ir.RestOperation | ir.McpTool | ir.McpResource) -> list[ir.ValueSource]:
    """Every value source an operation, tool or resource evaluates (nested ones included)."""
    sources: list[ir.ValueSource] = []
    invocations = [unit.invocation] if unit.invocation is not None else []
    if not isinstance(unit, ir.McpResource):
        invocations += [step.invocation for step in unit.steps if step.invocation is not None]
        sources += [source for step in unit.steps for source in step.sources]
    for invocation in invocations:
        sources += [v for _, v in invocation.arguments]
        if invocation.body is not None:
            sources.append(invocation.body.value)
    shapes = [unit.output.shape] if unit.output.shape is not None else []
    while shapes:
        shape = shapes.pop()
        if shape.value is not None:
            sources.append(shape.value)
        shapes += [child for _, child in shape.properties] + ([shape.items] if shape.items else [])
    return [nested for source in sources for nested in _sources(source)]


def used_inputs(unit: ir.RestOperation | ir.McpTool | ir.McpResource) -> set[str]:
    """Python names of the inputs an operation's call, body or mock output reads."""
    names = set()
    for source in unit_sources(unit):
        if source.kind == "input":
            names.add(source.input)
        names |= {part.value for part in source.parts if part.kind == "input"}
        refs = [source.ref, *(part.ref for part in source.parts)]
        names |= {ref.name for ref in refs if ref is not None and ref.kind == "input"}
    return names


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
    """The lookup and script step helpers an adapter module calls."""
    units = adapter.operations if isinstance(adapter, ir.RestAdapter) else adapter.tools
    steps = [step for unit in units for step in unit.steps]
    lookups = any(step.lookup is not None for step in steps)
    languages = {step.script.language for step in steps if step.script is not None}
    runners = [RUNNERS[language] for language in sorted(languages)]
    return ["lookup"] * lookups + runners


RUNNERS = {"python": "run_script", "javascript": "run_javascript"}
"""The runtime function running the script steps of each language."""


def cap_steps(capability: ir.Capability) -> list[ir.Step]:
    """Every step of every orchestrated operation and tool."""
    units: list[ir.RestOperation | ir.McpTool] = [
        op for adapter in capability.rest_adapters for op in adapter.operations
    ]
    units += [tool for adapter in capability.mcp_adapters for tool in adapter.tools]
    return [step for unit in units for step in unit.steps]


def _sources(source: ir.ValueSource) -> list[ir.ValueSource]:
    """A value source and every source nested in it."""
    return [source, *(nested for _, v in source.members for nested in _sources(v))]


def uses_to_text(adapter: ir.RestAdapter | ir.McpAdapter) -> bool:
    """True when an adapter module interpolates an input into text (needs ``to_text``)."""
    units: list[ir.RestOperation | ir.McpTool | ir.McpResource] = []
    prompts: list[ir.ValueSource] = []
    if isinstance(adapter, ir.RestAdapter):
        units += adapter.operations
    else:
        units += [*adapter.tools, *adapter.resources]
        prompts = [content for prompt in adapter.prompts for _, content in prompt.messages]
    sources = [nested for unit in units for nested in unit_sources(unit)]
    sources += [nested for source in prompts for nested in _sources(source)]
    return any(part.kind in ("input", "context") for source in sources for part in source.parts)


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
