"""The Flyte capability built with the Flyte Admin OpenAPI document (``--openapi``).

Built from the OpenAPI 3.0 contract and from the Swagger 2.0 one, its tools take typed
bodies and arguments and declare output schemas, and the enriched code passes ruff and
``mypy --strict``. ``tests/e2e/test_openapi_flyte_e2e.py`` serves it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from naftiko_codegen import ir
from naftiko_codegen.output import write_tree
from naftiko_codegen.pipeline import Result

from .conftest import FLYTE_PACKAGE
from .flyte_support import OPENAPI, SWAGGER, create_body, enriched


@pytest.fixture(scope="module")
def built() -> Result:
    return enriched(OPENAPI)


def tools_of(result: Result) -> dict[str, ir.McpTool]:
    """The compiled tools by name (their schemas are what ``tools/list`` reports)."""
    return {tool.name: tool for tool in result.capability.mcp_adapters[0].tools}


@pytest.mark.parametrize("document", [OPENAPI, SWAGGER], ids=["openapi-3.0", "swagger-2.0"])
def test_create_takes_a_typed_launch_plan(document: Path) -> None:
    create = tools_of(enriched(document))["create-workflow-execution"]
    body = create.input_schema["properties"]["body"]
    assert create.output.mcp_schema is not None
    assert create.input_schema["required"] == ["body"]
    assert {"project", "domain", "name", "spec", "inputs"} <= set(body["properties"])
    launch_plan = body["properties"]["spec"]["properties"]["launch_plan"]
    assert launch_plan["type"] == "object"
    assert launch_plan["properties"]["resource_type"]["enum"] == [
        "UNSPECIFIED",
        "TASK",
        "WORKFLOW",
        "LAUNCH_PLAN",
        "DATASET",
    ]
    assert {"project", "domain", "name", "version"} <= set(launch_plan["properties"])
    Draft202012Validator.check_schema(create.input_schema)
    validator = Draft202012Validator(create.input_schema)
    assert validator.is_valid({"body": create_body("p", "d", "n")})
    assert not validator.is_valid(
        {"body": {**create_body("p", "d", "n"), "spec": {"launch_plan": 42}}}
    )


def test_list_takes_typed_paging_arguments(built: Result) -> None:
    listing = tools_of(built)["list-workflow-executions"].input_schema
    assert listing["required"] == ["id.project", "id.domain"]
    assert listing["properties"]["limit"]["type"] == ["integer", "string"]
    assert listing["properties"]["sort_by.direction"]["enum"] == ["DESCENDING", "ASCENDING"]
    assert "query" not in listing["properties"]
    assert "number of resources" in listing["properties"]["limit"]["description"]


@pytest.fixture(scope="module")
def package_copy(built: Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("flyte-openapi-code") / "out"
    write_tree(target, built.files, built.spec_digest)
    return target


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "--no-cache", "--isolated", "."],
        ["mypy", "--strict", "--no-incremental", FLYTE_PACKAGE],
    ],
    ids=["ruff", "mypy-strict"],
)
def test_enriched_code_passes(package_copy: Path, command: list[str]) -> None:
    tool = Path(sys.executable).parent / command[0]
    result = subprocess.run(
        [str(tool) if tool.exists() else shutil.which(command[0]) or command[0], *command[1:]],
        cwd=package_copy,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
