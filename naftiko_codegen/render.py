"""Render phase: Jinja templates turn the IR into the generated package's files.

Spec text reaches generated Python only through the filters defined here: ``py``
(a Python literal via ``repr``), ``docstring`` (a triple-quoted literal, or ``repr``
when the text could not be one safely) and ``ident`` (which only passes names that
:mod:`naftiko_codegen.names` produced). Templates never concatenate spec text into code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from . import ir
from .emitters.auth import auth_middleware, credentials_middleware
from .emitters.container import container_ports, exec_form, health_probe
from .emitters.expressions import Emitter, python_type, selector_literal
from .emitters.text import hints_text, json_text, md_cell, md_code, md_text, toml_str
from .emitters.usage import (
    cap_params,
    cap_steps,
    input_checks,
    reads_path_input,
    used_inputs,
)
from .formatting import cache_dir
from .pylayout import def_line, docstring, ident, layout, open_call, py
from .rest_openapi import openapi_document
from .runtime_modules import PackageImports
from .runtime_modules import source as runtime_source
from .template_cache import SHIPPED, TemplateBytecodeCache


def templates_dir() -> Path:
    """The folder holding the templates (inside the wheel, or at the repository root)."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


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
        _by_name(
            py,
            docstring,
            ident,
            toml_str,
            python_type,
            md_text,
            md_cell,
            md_code,
            hints_text,
            selector_literal,
        ),
        json=json_text,
    )
    env.globals.update(
        _by_name(
            cap_params,
            layout,
            open_call,
            def_line,
            used_inputs,
            reads_path_input,
            input_checks,
            auth_middleware,
            credentials_middleware,
            container_ports,
            health_probe,
            exec_form,
        )
    )
    return env


def _by_name(*functions: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """Template filters or globals, each under its function's name."""
    return {function.__name__: function for function in functions}


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
        # Each module gets its own Emitter: its imports are what its own expressions call.
        module = env.get_template(template)
        files[target] = module.render(**context, **extra, emit=Emitter())

    emit("pyproject.toml", "pyproject.toml.j2")
    emit("README.md", "README.md.j2")
    emit(".env.example", "env.example.j2")
    emit("Dockerfile", "Dockerfile.j2")
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
            [skill.entry() for skill in skills.catalog], sort_keys=True
        )
    steps = cap_steps(capability)
    scripts = {
        key: text for step in steps if isinstance(step, ir.ScriptStep) for key, text in step.files
    }
    if scripts:
        files[f"{package}/scripts.json"] = json_text(scripts, sort_keys=True)
    answer_schemas = capability.answer_schemas
    if answer_schemas:
        files[f"{package}/answer_schemas.json"] = json_text(answer_schemas, sort_keys=True)
    for mcp_adapter in capability.mcp_adapters:
        emit(f"{package}/{mcp_adapter.module}.py", "package/mcp_server.py.j2", adapter=mcp_adapter)
        if mcp_adapter.files:
            files[f"{package}/{mcp_adapter.module}_files.json"] = json_text(
                [{"uri": item.uri, **item.contents} for item in mcp_adapter.files]
            )
    copied = {f"{package}/{module}.py": runtime_source(module) for module in imports.copied()}
    return files, copied
