"""Render phase: Jinja templates turn the IR into the generated package's files.

Spec text reaches generated Python only through the filters defined here: ``py``
(a Python literal via ``repr``), ``docstring`` (a triple-quoted literal, or ``repr``
when the text could not be one safely) and ``ident`` (which only passes names that
:mod:`naftiko_codegen.names` produced). Templates never concatenate spec text into code.
"""

from __future__ import annotations

import functools
import json
import keyword
from pathlib import Path
from typing import Any

import jinja2

from . import __version__, ir

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


def py(value: Any) -> str:
    """A Python literal for a JSON-like value (strings via ``repr``)."""
    if isinstance(value, (dict, list, tuple, str, int, float, bool)) or value is None:
        return repr(value)
    raise TypeError(f"cannot write {type(value).__name__} as a Python literal")


def docstring(text: str) -> str:
    """A docstring literal: triple-quoted when that is exact and safe, else ``repr(text)``."""
    text = text.strip()
    unsafe = (
        '"""' in text
        or "\\" in text
        or text.endswith('"')
        or any(not (ch.isprintable() or ch == "\n") for ch in text)
    )
    if unsafe:
        return repr(text)
    return f'"""{text}"""'


def ident(name: str) -> str:
    """Pass through a sanitised identifier; refuse anything that is not one."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"not a sanitised identifier: {name!r}")
    return name


def json_text(value: Any) -> str:
    """Deterministic, human-readable JSON."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


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
    pieces = []
    for part in source.parts:
        if part.kind == "text":
            pieces.append(py(part.value))
        elif part.kind == "secret":
            pieces.append(f"{settings}.secrets[{py(part.value)}]")
        else:
            pieces.append(f"to_text({ident(part.value)})")
    return " + ".join(pieces) if pieces else "''"


def uses_to_text(capability: ir.Capability) -> bool:
    """True when some template interpolates an input (needs ``runtime.to_text``)."""
    invocations = [op.invocation for a in capability.rest_adapters for op in a.operations]
    invocations += [tool.invocation for a in capability.mcp_adapters for tool in a.tools]
    sources = [
        source
        for invocation in invocations
        for source in [*(v for _, v in invocation.arguments), invocation.body]
        if source is not None
    ]
    return any(part.kind == "input" for source in sources for part in source.parts)


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


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja environment: strict undefined, no autoescape (output is code), our filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        py=py,
        docstring=docstring,
        ident=ident,
        json=json_text,
        python_type=python_type,
        value_expr=value_expr,
        md_text=md_text,
        md_cell=md_cell,
        md_code=md_code,
        hints_text=hints_text,
    )
    env.globals.update(
        generator_version=__version__, uses_to_text=uses_to_text, cap_params=cap_params
    )
    return env


def render_package(capability: ir.Capability, spec_digest: str) -> dict[str, str]:
    """Render every generated file; keys are POSIX paths relative to the output directory."""
    env = environment()
    context = {"cap": capability, "spec_digest": spec_digest}
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
    emit(f"{package}/runtime.py", "package/runtime.py.j2")
    emit(f"{package}/upstream.py", "package/upstream.py.j2")
    files[f"{package}/py.typed"] = ""
    for adapter in capability.rest_adapters:
        emit(f"{package}/{adapter.module}.py", "package/rest.py.j2", adapter=adapter)
        files[f"{package}/{adapter.module}_openapi.json"] = json_text(
            openapi_document(capability, adapter)
        )
    for mcp_adapter in capability.mcp_adapters:
        emit(f"{package}/{mcp_adapter.module}.py", "package/mcp_server.py.j2", adapter=mcp_adapter)
    return files


def openapi_document(capability: ir.Capability, adapter: ir.RestAdapter) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a REST adapter, in the spec's own names and spelling."""
    paths: dict[str, Any] = {}
    for op in adapter.operations:
        parameters = [
            {
                "name": item.name,
                "in": item.location,
                "required": item.required,
                "schema": {"type": item.type},
                **({"description": item.description} if item.description else {}),
            }
            for item in op.inputs
            if item.location in ("path", "query", "header", "cookie")
        ]
        operation: dict[str, Any] = {
            "operationId": op.name,
            "summary": op.summary,
            "description": op.description,
            "tags": [adapter.namespace],
            "responses": {
                "200": {
                    "description": "The upstream response, passed through.",
                    "content": {"application/json": {"schema": op.output.schema or {}}},
                },
                "422": {"$ref": "#/components/responses/InvalidInput"},
                "502": {"$ref": "#/components/responses/UpstreamUnavailable"},
                "504": {"$ref": "#/components/responses/UpstreamTimeout"},
            },
        }
        if parameters:
            operation["parameters"] = parameters
        if op.invocation.forward_body:
            body = op.invocation.operation.body_param
            operation["requestBody"] = {
                "required": bool(body and body.required),
                "content": {"application/json": {"schema": {}}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": capability.label,
            "version": "1.0.0",
            "description": adapter.description or capability.description,
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details.",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "instance": {"type": "string"},
                    },
                }
            },
            "responses": {
                "InvalidInput": {"description": "An input failed validation.", "content": problem},
                "UpstreamUnavailable": {
                    "description": "The upstream API could not be reached.",
                    "content": problem,
                },
                "UpstreamTimeout": {
                    "description": "The upstream API did not answer in time.",
                    "content": problem,
                },
            },
        },
    }
