"""Render phase: Jinja templates turn the IR into the generated package's files.

Spec text reaches generated Python only through the filters defined here: ``py``
(a Python literal via ``repr``), ``docstring`` (a triple-quoted literal, or ``repr``
when the text could not be one safely) and ``ident`` (which only passes names that
:mod:`naftiko_codegen.names` produced). Templates never concatenate spec text into code.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jinja2

from . import ir
from .formatting import cache_dir
from .pylayout import def_line, docstring, ident, layout, open_call, py
from .rest_openapi import openapi_document
from .runtime_modules import PackageImports
from .runtime_modules import source as runtime_source
from .template_cache import SHIPPED, TemplateBytecodeCache

_PYTHON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list[Any]",
    "object": "dict[str, Any]",
}


def templates_dir() -> Path:
    """The folder holding the templates (inside the wheel, or at the repository root)."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


def toml_str(text: str) -> str:
    """A TOML basic string: JSON's escaping plus DEL, which TOML forbids raw."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def json_text(value: Any, *, sort_keys: bool = False) -> str:
    """Deterministic, human-readable JSON (``sort_keys`` where spec mapping order leaks in)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys) + "\n"


def md_text(text: str) -> str:
    """Spec text as Markdown paragraph text (HTML-like characters neutralised)."""
    return text.replace("<", "&lt;").replace(">", "&gt;").strip()


def md_cell(text: str) -> str:
    """Spec text for one Markdown table cell: one line, pipes and backticks escaped."""
    flat = " ".join(md_text(text).split())
    return flat.replace("|", "\\|").replace("`", "'")


def md_code(text: str) -> str:
    """Inline code for a name."""
    return "`" + md_cell(text) + "`"


def hints_text(annotations: ir.ToolAnnotations) -> str:
    """A short list of the hints that are set."""
    names = [
        ("read-only", annotations.read_only),
        ("destructive", annotations.destructive),
        ("idempotent", annotations.idempotent),
        ("open-world", annotations.open_world),
    ]
    return ", ".join(name for name, value in names if value) or "none"


def python_type(param: ir.ConsumedParam | ir.ExposedInput) -> str:
    """The Python annotation of a parameter's value."""
    return _PYTHON_TYPES[param.type]


def value_expr(source: ir.ValueSource, settings: str = "settings") -> str:
    """A Python expression computing a value source.

    Inputs are local variables of the same (sanitised) name; bound variables are read
    from ``settings.secrets``; template text enters as ``repr`` literals only.
    """
    if source.kind == "input":
        return ident(source.input)
    if source.kind == "literal":
        return py(source.literal)
    if source.kind == "object":
        members = ", ".join(f"{py(k)}: {value_expr(v, settings)}" for k, v in source.members)
        return "{" + members + "}"
    if source.kind == "array":
        return "[" + ", ".join(value_expr(v, settings) for _, v in source.members) + "]"
    if source.kind == "context":
        return context_expr(source.ref)
    pieces = []
    for part in source.parts:
        if part.kind == "text":
            pieces.append(py(part.value))
        elif part.kind == "secret":
            pieces.append(f"{settings}.secrets[{py(part.value)}]")
        elif part.kind == "context":
            pieces.append(f"to_text({context_expr(part.ref)})")
        else:
            pieces.append(f"to_text({ident(part.value)})")
    return " + ".join(pieces) if pieces else "''"


def context_expr(ref: ir.ContextRef | None) -> str:
    """Read an earlier step's answer (``context["step"]``) or an input along its path;
    ``[*]`` maps the rest of the path over every element (``None`` where a key is missing)."""
    if ref is None:
        raise ValueError("a context value without a reference")
    base = f"context[{py(ref.name)}]" if ref.kind == "step" else ident(ref.name)
    return _context_path(base, ref.path, 1)


def _context_path(var: str, steps: tuple[ir.PathStep, ...], depth: int) -> str:
    wildcard = next((i for i, step in enumerate(steps) if step.kind == "all"), None)
    if wildcard is None:
        return dig(var, steps)
    item = f"item_{depth}"
    inner = _context_path(item, steps[wildcard + 1 :], depth + 1)
    return f"[{inner} for {item} in as_list({dig(var, steps[:wildcard])})]"


_COERCE = {
    "string": "as_string",
    "number": "as_number",
    "integer": "as_integer",
    "boolean": "as_boolean",
}


class ShapeWriter:
    """Writes the Python functions that build a shaped result from upstream JSON.

    JSONPath mappings were compiled to steps by the lowering; here each becomes a
    ``dig(node, "key", 0, ...)`` call, ``[*]`` a list comprehension, and each nested
    object read from a mapped node its own small function.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.functions: list[str] = []
        self.counter = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"

    def source(self, shape: ir.Shape) -> str:
        """Source of ``name(node)`` and its helpers."""
        body = self.expr(shape, "node")
        returned = layout(body, 4, "return ")
        self.functions.append(f"def {ident(self.name)}(node: Any) -> Any:\n{returned}\n")
        return "\n\n".join(self.functions).rstrip("\n")

    def expr(self, shape: ir.Shape, var: str) -> str:
        """An expression building ``shape`` relative to the node in ``var``."""
        if shape.value is not None:
            text = value_expr(shape.value)
            return f"{_COERCE[shape.type]}({text})" if shape.type in _COERCE else text
        if shape.path is None:
            return self.build(shape, var, mapped=False)
        return self.select(var, shape.path, shape)

    def select(self, var: str, steps: tuple[ir.PathStep, ...], shape: ir.Shape) -> str:
        """Apply ``steps`` to ``var``; a ``[*]`` step maps the rest over every element."""
        wildcard = next((i for i, step in enumerate(steps) if step.kind == "all"), None)
        if wildcard is None:
            return self.build(shape, dig(var, steps), mapped=True)
        item, rest = self.fresh("item"), steps[wildcard + 1 :]
        element = shape.items if shape.type == "array" else shape
        if any(step.kind == "all" for step in rest):
            inner = self.select(item, rest, shape)
        elif element is None:
            inner = dig(item, rest)
        else:
            inner = self.expr(element, dig(item, rest))
        return f"[{inner} for {item} in as_list({dig(var, steps[:wildcard])})]"

    def build(self, shape: ir.Shape, node: str, *, mapped: bool) -> str:
        if shape.type in _COERCE:
            return f"{_COERCE[shape.type]}({node})"
        if shape.type == "array":
            if shape.items is None:
                return f"as_list({node})"
            element = self.fresh("element")
            return f"[{self.expr(shape.items, element)} for {element} in as_list({node})]"
        if not mapped and node.isidentifier():
            return self.object_literal(shape, node)
        helper = self.fresh(self.name)
        literal = self.object_literal(shape, "node")
        self.functions.append(
            f"def {helper}(node: Any) -> Any:\n"
            "    if node is None:\n        return None\n"
            f"{layout(literal, 4, 'return ')}\n"
        )
        return f"{helper}({node})"

    def object_literal(self, shape: ir.Shape, var: str) -> str:
        items = ", ".join(
            f"{py(name)}: {self.expr(child, var)}" for name, child in shape.properties
        )
        return "{" + items + "}"


def dig(var: str, steps: tuple[ir.PathStep, ...]) -> str:
    """``dig(var, "key", 0)``, or ``var`` itself when there are no steps."""
    if not steps:
        return var
    args = ", ".join(py(step.key) if step.kind == "key" else str(step.index) for step in steps)
    return f"dig({var}, {args})"


def selector_literal(steps: tuple[ir.PathStep, ...]) -> str:
    """A tuple literal of the keys and indices of a compiled JSONPath."""
    parts = [py(step.key) if step.kind == "key" else str(step.index) for step in steps]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def shape_source(name: str, shape: ir.Shape) -> str:
    """The Python source of the function ``name`` building ``shape`` from upstream JSON."""
    return ShapeWriter(name).source(shape)


def mock_expr(shape: ir.Shape) -> str:
    """An expression building a mock result from constants and inputs (no upstream)."""
    return ShapeWriter("_mock").expr(shape, "None")


def _shape_helpers(shape: ir.Shape | None) -> set[str]:
    """The ``values`` helpers a shape's generated code calls."""
    if shape is None:
        return set()
    used = set()
    if shape.value is None:
        if shape.type in _COERCE:
            used.add(_COERCE[shape.type])
        if shape.path:
            used.add("dig")
        if shape.type == "array" or (shape.path and any(s.kind == "all" for s in shape.path)):
            used.add("as_list")
    elif shape.type in _COERCE:
        used.add(_COERCE[shape.type])
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
            code = " ".join(context_expr(ref) for ref in refs if ref is not None)
            used |= {name for name in ("dig", "as_list") if f"{name}(" in code}
            if isinstance(adapter, ir.McpAdapter):
                used.add("value_result")
        if unit.output.kind == "shaped":
            used.add("shaped" if isinstance(adapter, ir.RestAdapter) else "shaped_result")
            if unit.invocation is not None and unit.invocation.operation.raw_format != "json":
                used.add("decode_" + unit.invocation.operation.raw_format)
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


def path_operands(op: ir.ConsumedOperation) -> list[str]:
    """The terms of a consumed operation's path: literal text and encoded parameters."""
    terms = [
        f"segment({ident(segment.param)})" if segment.param else py(segment.text)
        for segment in op.segments
    ]
    return terms or ['""']


def _body_encoder(body: ir.RequestBody) -> str | None:
    """The helper that encodes a spec-defined body (``None``: the value is text)."""
    if body.encoding == "form":
        return "encode_form"
    if body.encoding == "json" and body.value.kind != "template":
        return "encode_json"
    return None


def body_args(body: ir.RequestBody, indent: int) -> str:
    """The lines of the ``body=..., body_type=...`` arguments (each with its comma) that
    send a spec-defined request body; ``files=[...]`` for ``multipart/form-data`` (httpx
    writes the boundary and part headers)."""
    if body.encoding == "multipart":
        return layout(multipart_parts(body.value), indent, "files=", ",")
    value = value_expr(body.value)
    encoder = _body_encoder(body)
    encoded = f"{encoder}({value})" if encoder else f"({value}).encode('utf-8')"
    return "\n".join(
        [
            layout(encoded, indent, "body=", ","),
            layout(py(body.content_type), indent, "body_type=", ","),
        ]
    )


def multipart_parts(parts: ir.ValueSource) -> str:
    """``[(name, (filename, value, content_type)), ...]``: the parts in httpx's ``files``
    form."""
    items = []
    for _, part in parts.members:
        fields = {key: value_expr(source) for key, source in part.members}
        file = f"({fields['filename']}, {fields['value']}, {fields['contentType']})"
        items.append(f"({fields['name']}, {file})")
    return "[" + ", ".join(items) + "]"


def body_encoders(adapter: ir.RestAdapter | ir.McpAdapter) -> set[str]:
    """The encoders an adapter's spec-defined bodies use."""
    units = adapter.operations if isinstance(adapter, ir.RestAdapter) else adapter.tools
    return {
        encoder
        for unit in units
        if unit.invocation is not None and unit.invocation.body is not None
        for encoder in [_body_encoder(unit.invocation.body)]
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
    scripts = any(step.script is not None for step in steps)
    return ["lookup"] * lookups + ["run_script"] * scripts


def cap_steps(capability: ir.Capability) -> list[ir.Step]:
    """Every step of every orchestrated operation and tool."""
    units: list[ir.RestOperation | ir.McpTool] = [
        op for adapter in capability.rest_adapters for op in adapter.operations
    ]
    units += [tool for adapter in capability.mcp_adapters for tool in adapter.tools]
    return [step for unit in units for step in unit.steps]


_CHECKS = {"bearer": "bearer", "apikey": "api_key", "basic": "basic", "digest": "digest"}


def auth_imports(auth: ir.Authentication | None) -> list[str]:
    """The runtime names an adapter protected by ``auth`` imports (none when unprotected)."""
    if auth is None:
        return []
    if auth.oauth2 is not None:
        return ["OAuth2ResourceServer"]
    return ["RequireCredentials", _CHECKS[auth.type]]


def auth_check(auth: ir.Authentication) -> str:
    """``bearer(...)``/``api_key(...)``/``basic(...)`` over the configured secrets."""

    def value(source: ir.ValueSource | None) -> str:
        return value_expr(source) if source is not None else "''"

    if auth.type == "bearer":
        return f"bearer({value(auth.token)})"
    if auth.type == "apikey":
        return f"api_key({py(auth.key)}, {value(auth.token)}, {py(auth.placement)})"
    if auth.type == "digest":
        return f"digest({value(auth.username)}, {value(auth.password)})"
    return f"basic({value(auth.username)}, {value(auth.password)})"


def oauth2_middleware(adapter: ir.RestAdapter | ir.McpAdapter | ir.SkillAdapter) -> str:
    """``app.add_middleware(OAuth2ResourceServer, ...)`` for an oauth2-protected adapter."""
    assert adapter.authentication is not None and adapter.authentication.oauth2 is not None
    config = adapter.authentication.oauth2
    key = ident(adapter.key)
    arguments = [
        "OAuth2ResourceServer",
        f"issuer=settings.{key}_oauth2_issuer",
        f"resource=settings.{key}_oauth2_resource",
        f"audience={py(config.audience or None)}",
        f"scopes={py(config.scopes)}",
        "connect_timeout=settings.connect_timeout",
        "read_timeout=settings.read_timeout",
    ]
    return layout(f"app.add_middleware({', '.join(arguments)})", 4).lstrip()


def auth_challenge(auth: ir.Authentication) -> str:
    """The ``WWW-Authenticate`` challenge of a scheme."""
    if auth.type == "basic":
        return 'Basic realm="naftiko", charset="UTF-8"'
    if auth.type == "bearer":
        return 'Bearer realm="naftiko"'
    if auth.type == "digest":  # each 401 gets a fresh nonce from the check itself
        return 'Digest realm="naftiko", qop="auth"'
    return f'ApiKey realm="naftiko", name="{auth.key}"'


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


def _bytecode_cache() -> TemplateBytecodeCache:
    """The compiled templates the wheel ships, then ``<cache dir>/jinja`` (not written when
    caching is off)."""
    root = cache_dir()
    return TemplateBytecodeCache(
        SHIPPED if SHIPPED.is_dir() else None, root / "jinja" if root is not None else None
    )


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja environment the compiler renders with (:func:`new_environment`), its
    compiled templates read from what the wheel ships and kept in the user's cache
    (:mod:`naftiko_codegen.template_cache`)."""
    return new_environment(_bytecode_cache())


def new_environment(bytecode_cache: jinja2.BytecodeCache | None) -> jinja2.Environment:
    """A Jinja environment over the templates: strict undefined, no autoescape (output is
    code), our filters and helpers."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=bytecode_cache,
    )
    env.filters.update(
        py=py,
        docstring=docstring,
        ident=ident,
        json=json_text,
        toml_str=toml_str,
        python_type=python_type,
        value_expr=value_expr,
        md_text=md_text,
        md_cell=md_cell,
        md_code=md_code,
        hints_text=hints_text,
        selector_literal=selector_literal,
        mock_expr=mock_expr,
        body_args=body_args,
        context_expr=context_expr,
    )
    env.globals.update(
        uses_to_text=uses_to_text,
        cap_params=cap_params,
        shape_source=shape_source,
        adapter_value_imports=adapter_value_imports,
        adapter_mcp_runtime_imports=adapter_mcp_runtime_imports,
        layout=layout,
        open_call=open_call,
        def_line=def_line,
        path_operands=path_operands,
        body_encoders=body_encoders,
        used_inputs=used_inputs,
        input_checks=input_checks,
        auth_check=auth_check,
        auth_imports=auth_imports,
        auth_challenge=auth_challenge,
        oauth2_middleware=oauth2_middleware,
        adapter_step_imports=adapter_step_imports,
    )
    return env


def render_package(capability: ir.Capability, spec_digest: str) -> dict[str, str]:
    """Every file of the generated package; keys are POSIX paths relative to the output
    directory."""
    rendered, copied = render_parts(capability, spec_digest)
    return {**rendered, **copied}


def render_parts(
    capability: ir.Capability, spec_digest: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The files rendered from the templates, and the runtime modules the package needs,
    copied verbatim (already in black's layout: they need no formatting)."""
    env = environment()
    imports = PackageImports()
    context = {"cap": capability, "spec_digest": spec_digest, "imports": imports}
    package = capability.package
    files: dict[str, str] = {}

    def emit(target: str, template: str, **extra: Any) -> None:
        files[target] = env.get_template(template).render(**context, **extra)

    emit("pyproject.toml", "pyproject.toml.j2")
    emit("README.md", "README.md.j2")
    emit(".env.example", "env.example.j2")
    emit(f"{package}/__init__.py", "package/__init__.py.j2")
    emit(f"{package}/__main__.py", "package/__main__.py.j2")
    emit(f"{package}/config.py", "package/config.py.j2")
    emit(f"{package}/upstream.py", "package/upstream.py.j2")
    files[f"{package}/py.typed"] = ""
    if capability.metrics or capability.traces:
        emit(f"{package}/telemetry.py", "package/telemetry.py.j2")
    for adapter in capability.rest_adapters:
        emit(f"{package}/{adapter.module}.py", "package/rest.py.j2", adapter=adapter)
        files[f"{package}/{adapter.module}_openapi.json"] = json_text(
            openapi_document(capability, adapter)
        )
    if capability.control is not None:
        emit(f"{package}/control.py", "package/control.py.j2")
    for skills in capability.skills:
        emit(f"{package}/{skills.module}.py", "package/skills.py.j2", adapter=skills)
        files[f"{package}/{skills.module}_catalog.json"] = json_text(
            list(skills.catalog), sort_keys=True
        )
    steps = cap_steps(capability)
    scripts = {key: text for step in steps if step.script for key, text in step.script.files}
    if scripts:
        files[f"{package}/scripts.json"] = json_text(scripts, sort_keys=True)
    for mcp_adapter in capability.mcp_adapters:
        emit(f"{package}/{mcp_adapter.module}.py", "package/mcp_server.py.j2", adapter=mcp_adapter)
        if mcp_adapter.files:
            files[f"{package}/{mcp_adapter.module}_files.json"] = json_text(
                [{"uri": item.uri, **item.contents} for item in mcp_adapter.files]
            )
    copied = {f"{package}/{module}.py": runtime_source(module) for module in imports.copied()}
    return files, copied
