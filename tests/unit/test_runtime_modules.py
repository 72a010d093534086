"""The runtime modules a package gets (naftiko_codegen/runtime_modules.py): found by what
the generated modules import, copied byte for byte, never more than the package uses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import black
import pytest

from naftiko_codegen import runtime_modules
from naftiko_codegen.formatting import black_mode
from naftiko_codegen.pipeline import analyse
from naftiko_codegen.render import render_parts

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
SPECS = [
    REPO / "specs" / "flyte-admin-executions.yaml",
    DATA / "flyte-with-control.yaml",
    DATA / "auth-capability.yaml",
    DATA / "digest" / "digest-capability.yaml",
    DATA / "oauth2" / "oauth2-capability.yaml",
    DATA / "official" / "mcp-resources-prompts-capability.yaml",
    DATA / "official" / "xml-capability.yaml",
    DATA / "official" / "aggregate-shared-mock.yaml",
    DATA / "forward" / "forward-capability.yaml",
]


def tree(module: str) -> ast.Module:
    return ast.parse(runtime_modules.source(module))


def test_definitions_are_every_public_top_level_name() -> None:
    """The regular expression finds exactly what ``ast`` finds, and no name is defined twice."""
    expected: dict[str, str] = {}
    for module in runtime_modules.modules():
        for node in tree(module).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            else:
                continue
            for name in names:
                if not name.startswith("_"):
                    assert name not in expected, f"{name} in {expected[name]} and {module}"
                    expected[name] = module
    assert runtime_modules.definitions() == expected


def test_requires_are_the_relative_imports() -> None:
    for module in runtime_modules.modules():
        imported = {
            node.module
            for node in ast.walk(tree(module))
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }
        assert runtime_modules.requires(module) == imported, module
        assert imported <= set(runtime_modules.modules())


def test_runtime_modules_are_in_the_generated_black_layout() -> None:
    """Copied verbatim and never formatted, so they must already be what black writes."""
    for module in runtime_modules.modules():
        text = runtime_modules.source(module)
        assert black.format_str(text, mode=black_mode()) == text, module


ADAPTER_MODULES = re.compile(
    r"^(rest|mcp_server|skills)(_\w+)?$|^(control|config|upstream|telemetry)$"
)


def test_no_runtime_module_can_share_a_generated_modules_name() -> None:
    """Generated modules are ``rest``, ``rest_<namespace>``, ``mcp_server[_<namespace>]``,
    ``skills[_<namespace>]``, ``control``, ``config``, ``upstream`` and ``telemetry``."""
    for module in runtime_modules.modules():
        assert not ADAPTER_MODULES.match(module), module


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.name)
def test_a_package_gets_exactly_the_runtime_modules_it_imports(spec: Path) -> None:
    capability, _, digest = analyse(spec)
    rendered, copied = render_parts(capability, digest)
    package = capability.package

    def local_imports(text: str) -> set[str]:
        return {
            node.module
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }

    imported = set().union(*(local_imports(t) for p, t in rendered.items() if p.endswith(".py")))
    runtime = imported & set(runtime_modules.modules())
    assert sorted(copied) == [f"{package}/{m}.py" for m in runtime_modules.closure(runtime)]
    for path, text in copied.items():
        assert text == runtime_modules.source(path.removeprefix(package + "/").removesuffix(".py"))
    modules = {
        path.removeprefix(package + "/").removesuffix(".py") for path in {*rendered, *copied}
    }
    python = [text for path, text in {**rendered, **copied}.items() if path.endswith(".py")]
    for text in python:
        assert local_imports(text) <= modules  # every local import is a module of the package


def test_imports_are_sorted_by_module_and_by_kind() -> None:
    imports = runtime_modules.PackageImports()
    text = imports.lines(
        ["to_text", "InputError", "UpstreamError", "problem", "QueryItems"],
        config=["load_settings", "Settings"],
        telemetry=["RECORDING"],
        upstream=[],
    )
    assert text.splitlines() == [
        "from .config import Settings, load_settings",
        "from .errors import InputError, UpstreamError, problem",
        "from .telemetry import RECORDING",
        "from .wire import QueryItems, to_text",
    ]
    assert imports.copied() == ["errors", "wire"]
    with pytest.raises(KeyError):
        imports.lines(["no_such_helper"])
