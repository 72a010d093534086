"""A capability whose every name is a Python keyword, a builtin, a module name or a name the
generated code uses itself, shared by the build checks (``tests/test_hostile_names.py``) and
the wire checks (``tests/e2e/test_hostile_names_e2e.py``).

The names are harvested from the generated code itself (every name a generated module binds
or reads), so a template that starts using a new name is covered without editing a test;
``naftiko_codegen/names.py`` keeps the reserved list these tests prove complete.
"""

from __future__ import annotations

import ast
import builtins
import functools
import keyword
import re
from pathlib import Path
from typing import Any

import yaml

from naftiko_codegen.pipeline import analyse
from naftiko_codegen.render import render_package

from .conftest import CORPUS, DATA, FLYTE_SPEC, build_into

HARVESTED_FROM = [
    FLYTE_SPEC,
    DATA / "official" / "mcp-resources-prompts-capability.yaml",
    DATA / "official" / "xml-capability.yaml",
    DATA / "auth-capability.yaml",
    DATA / "flyte-with-control.yaml",
    CORPUS / "naftiko-framework" / "aggregates" / "aggregate-basic.yaml",
    CORPUS / "other-apis" / "twilio" / "voice-calls.yaml",
]
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def generated_names() -> set[str]:
    """Every lower-case name the generated modules of a few rich capabilities bind or read."""
    found: set[str] = set()
    for spec in HARVESTED_FROM:
        capability, _, digest = analyse(spec)
        for path, text in render_package(capability, digest).items():
            if not path.endswith(".py"):
                continue
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.Name):
                    found.add(node.id)
                elif isinstance(node, ast.arg):
                    found.add(node.arg)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    found.add(node.name)
                elif isinstance(node, ast.alias):
                    found.add((node.asname or node.name).split(".")[0])
    return {name for name in found if _NAME.match(name)}


def name_pairs(names: list[str]) -> list[tuple[str, str]]:
    """Each name with the next one (the last with the first): operation and query names."""
    return list(zip(names, names[1:] + names[:1], strict=True))


@functools.cache
def hostile_names() -> list[str]:
    """Keywords, soft keywords, builtins and the generated code's own names, sorted."""
    names = set(keyword.kwlist) | set(keyword.softkwlist) | generated_names()
    names |= {name for name in dir(builtins) if _NAME.match(name)}
    names |= {"json", "re", "os", "sys", "types", "httpx", "mcp", "typing", "asyncio"}
    return sorted(names - {"_"}) + ["_"]


def hostile_spec(names: list[str]) -> dict[str, Any]:
    """One consumed operation per name (its path placeholder, operation and resource are
    that name, its query parameter the next name), a REST route and an MCP tool for each."""
    pairs = name_pairs(names)
    return {
        "naftiko": "1.0.0-alpha2",
        "info": {"label": "class", "description": "Every name is one Python or we use."},
        "capability": {
            "consumes": [
                {
                    "type": "http",
                    "namespace": "open",
                    "baseUri": "http://localhost:1",
                    "resources": [
                        {
                            "name": name,
                            "path": f"/r{index}/items/{{{name}}}",
                            "operations": [
                                {
                                    "name": name,
                                    "method": "GET",
                                    "inputParameters": [
                                        {"name": name, "in": "path"},
                                        {"name": query, "in": "query"},
                                    ],
                                }
                            ],
                        }
                        for index, (name, query) in enumerate(pairs)
                    ],
                }
            ],
            "exposes": [
                {
                    "type": "rest",
                    "namespace": "json",
                    "port": 8080,
                    "resources": [
                        {
                            "name": name,
                            "path": f"/v1/r{index}/{{{name}}}",
                            "operations": [
                                {
                                    "name": name,
                                    "method": "GET",
                                    "call": f"open.{name}",
                                    "with": {query: f"rest.{query}"},
                                }
                            ],
                        }
                        for index, (name, query) in enumerate(pairs)
                    ],
                },
                {
                    "type": "mcp",
                    "namespace": "import",
                    "port": 9090,
                    "tools": [
                        {"name": name, "description": f"Tool {name}.", "call": f"open.{name}"}
                        for name, _ in pairs
                    ],
                },
            ],
        },
    }


def build_hostile(root: Path) -> Path:
    """The hostile capability written under ``root`` and built (in black's layout) into
    ``root / "out"``, which is returned."""
    spec = root / "hostile.yaml"
    spec.write_text(yaml.safe_dump(hostile_spec(hostile_names()), sort_keys=False), "utf-8")
    result = build_into(spec, root / "out")
    assert not result.diagnostics, [d.format_text() for d in result.diagnostics]
    assert len(result.capability.rest_adapters[0].operations) == len(hostile_names())
    assert len(result.capability.mcp_adapters[0].tools) == len(hostile_names())
    return root / "out"
