"""Which OpenAPI operation each consumed operation calls, and what it gains from it
(``docs/semantics.md``, "OpenAPI documents": matching and parameters)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from naftiko_codegen import ir
from naftiko_codegen.diagnostics import CompilationFailed, Diagnostic, Severity
from naftiko_codegen.openapi import OpenApiFile
from naftiko_codegen.openapi.matching import segments
from naftiko_codegen.pipeline import analyse


def capability(base_uri: str, operations: list[tuple[str, str, str]], **api: Any) -> dict[str, Any]:
    """A capability consuming ``operations`` ((name, method, path)) and exposing each as a
    tool that declares no inputs."""
    return {
        "naftiko": "1.0.0-alpha2",
        "info": {"label": "Matching", "description": "Matching."},
        "capability": {
            "consumes": [
                {
                    "type": "http",
                    "namespace": "api",
                    "baseUri": base_uri,
                    **api,
                    "resources": [
                        {
                            "name": f"r{i}",
                            "path": path,
                            "operations": [{"name": name, "method": method}],
                        }
                        for i, (name, method, path) in enumerate(operations)
                    ],
                }
            ],
            "exposes": [
                {
                    "type": "mcp",
                    "namespace": "tools",
                    "port": 9000,
                    "tools": [
                        {
                            "name": f"t-{name}",
                            "description": f"Calls {name}.",
                            "call": f"api.{name}",
                        }
                        for name, _, _ in operations
                    ],
                }
            ],
        },
    }


def document(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def operation(**parts: Any) -> dict[str, Any]:
    return {"responses": {"200": {"description": "ok"}}, **parts}


def build(
    tmp_path: Path, spec: dict[str, Any], *documents: tuple[str, dict[str, Any]]
) -> tuple[ir.Capability, list[Diagnostic]]:
    """Compile ``spec`` with the OpenAPI ``documents`` ((``[NAMESPACE=]``name, document))."""
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    files = []
    for value, data in documents:
        name = value.rpartition("=")[2]
        (tmp_path / name).write_text(json.dumps(data), "utf-8")
        files.append(OpenApiFile.parse(value.replace(name, str(tmp_path / name))))
    capability, diagnostics, _ = analyse(tmp_path / "spec.yaml", openapi=files)
    return capability, diagnostics


def operations(capability: ir.Capability) -> dict[str, ir.ConsumedOperation]:
    return {op.name: op for api in capability.apis for op in api.operations}


def test_segments_ignore_placeholder_names_case_and_separators() -> None:
    assert segments("/Calls/{CallSid}.json") == ("calls", "{}_json")
    assert segments("/user-groups/{{id.project}}/") == segments("/User_Groups/{x}")
    assert segments("/a.b/{x}") == segments("/a_b/{y}")


@pytest.mark.parametrize(
    ("base_uri", "path", "servers", "template"),
    [
        (
            "https://api.example.com/v1",
            "/pets/{{petId}}",
            ["https://api.example.com/v1"],
            "/pets/{pet_id}",
        ),
        (
            "https://api.example.com",
            "/v1/pets/{petId}",
            ["https://api.example.com/v1"],
            "/pets/{id}",
        ),
        ("https://api.example.com/v1", "/pets/{petId}", ["/{version}"], "/pets/{id}"),
        ("{API_URL}", "/pets/{petId}", ["https://elsewhere.example/api"], "/pets/{id}"),
        ("https://x.example", "/api/v3/pets/{petId}", [], "/pets/{id}"),
        ("https://x.example", "/user-pets/{petId}", [], "/user_pets/{id}"),
    ],
    ids=[
        "same-base",
        "version-in-server",
        "server-variable",
        "placeholder-base",
        "literal-prefix",
        "separators",
    ],
)
def test_an_operation_matches_by_method_and_path_template(
    tmp_path: Path, base_uri: str, path: str, servers: list[str], template: str
) -> None:
    variables = {"version": {"default": "v1"}}
    doc = document(
        {
            template: {
                "get": operation(
                    parameters=[
                        {
                            "name": template.rsplit("{", 1)[1].rstrip("}"),
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                            "description": "The pet.",
                        }
                    ]
                ),
                "delete": operation(),
            }
        },
        servers=[{"url": url, "variables": variables} for url in servers],
    )
    cap, diagnostics = build(
        tmp_path, capability(base_uri, [("get-pet", "GET", path)]), ("api.json", doc)
    )
    op = operations(cap)["get-pet"]
    assert op.contract is not None and op.contract.source.endswith(f": GET {template}")
    [param] = op.path_params
    assert param.schema == {"type": "integer", "minimum": 1}
    assert param.description == "The pet."
    assert not [d for d in diagnostics if d.code == "NG215"]
    [tool] = cap.mcp_adapters[0].tools
    assert tool.input_schema["properties"]["petId"] == {
        "type": "integer",
        "minimum": 1,
        "description": "The pet.",
    }


def test_unmatched_operations_are_listed_in_one_warning(tmp_path: Path) -> None:
    doc = document(
        {
            "/pets": {"get": operation()},
            "/a/pets": {"post": operation()},
            "/b/pets": {"post": operation()},
        }
    )
    spec = capability(
        "https://x.example",
        [("list", "GET", "/pets"), ("make", "POST", "/pets"), ("gone", "GET", "/gone/{id}")],
    )
    cap, diagnostics = build(tmp_path, spec, ("api.json", doc))
    [warning] = [d for d in diagnostics if d.code == "NG215"]
    assert warning.severity is Severity.WARNING and warning.file.endswith("spec.yaml")
    assert "2 consumed operations match no operation of" in warning.message
    # POST /pets ends two paths after a literal prefix: ambiguous, so not matched
    assert "api.make (POST /pets)" in warning.message
    assert "api.gone (GET /gone/{id})" in warning.message
    assert "api.list" not in warning.message
    assert operations(cap)["make"].contract is None


def test_undeclared_parameters_are_added_except_credentials(tmp_path: Path) -> None:
    params = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20}},
        {
            "name": "sort.order",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "enum": ["asc", "desc"]},
        },
        {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}},
        {"name": "Accept", "in": "header", "schema": {"type": "string"}},
        {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
        {"name": "api_key", "in": "query", "schema": {"type": "string"}},
        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
    ]
    doc = document({"/pets": {"get": operation(parameters=params)}})
    auth = {"type": "apikey", "key": "api_key", "value": "{{KEY}}", "placement": "query"}
    spec = capability("https://x.example", [("list", "GET", "/pets")], authentication=auth)
    spec["binds"] = [{"namespace": "env", "keys": {"KEY": "KEY"}}]
    cap, _ = build(tmp_path, spec, ("api.json", doc))
    op = operations(cap)["list"]
    assert [(p.name, p.location, p.type, p.required) for p in op.params] == [
        ("limit", "query", "integer", False),
        ("sort.order", "query", "string", True),
        ("X-Request-Id", "header", "string", False),
    ]
    [tool] = cap.mcp_adapters[0].tools
    schema = tool.input_schema
    assert list(schema["properties"]) == ["limit", "sort.order", "X-Request-Id", "jsonpath"]
    assert schema["required"] == ["sort.order"]
    assert schema["properties"]["limit"]["default"] == 20
    assert "query" not in schema["properties"]  # typed arguments replace the free-form one


def test_a_namespaced_document_is_searched_first_and_must_name_a_consumed_api(
    tmp_path: Path,
) -> None:
    general = document({"/pets": {"get": operation(summary="General.")}})
    own = document({"/pets": {"get": operation(summary="Own.")}})
    spec = capability("https://x.example", [("list", "GET", "/pets")])
    cap, _ = build(tmp_path, spec, ("general.json", general), ("api=own.json", own))
    assert operations(cap)["list"].contract.source.startswith(str(tmp_path / "own.json"))  # type: ignore[union-attr]
    assert operations(cap)["list"].description == "Own."
    with pytest.raises(CompilationFailed) as failure:
        build(tmp_path, spec, ("other=own.json", own))
    [error] = [d for d in failure.value.diagnostics if d.severity is Severity.ERROR]
    assert error.code == "NG214" and "`--openapi other=...` names no consumed API" in error.message
    assert error.expected == "api"


def test_request_and_answer_schemas_reach_the_tool(tmp_path: Path) -> None:
    pet = {
        "type": "object",
        "required": ["name"],
        "properties": {"id": {"type": "integer", "readOnly": True}, "name": {"type": "string"}},
    }
    doc = document(
        {
            "/pets": {
                "post": operation(
                    requestBody={
                        "required": True,
                        "description": "The new pet.",
                        "content": {"application/json": {"schema": pet}},
                    },
                    responses={
                        "201": {
                            "description": "made",
                            "content": {"application/json": {"schema": pet}},
                        }
                    },
                ),
                "get": operation(
                    responses={
                        "200": {
                            "description": "all",
                            "content": {
                                "application/json": {"schema": {"type": "array", "items": pet}}
                            },
                        }
                    }
                ),
            }
        }
    )
    spec = capability("https://x.example", [("make", "POST", "/pets"), ("list", "GET", "/pets")])
    cap, _ = build(tmp_path, spec, ("api.json", doc))
    make, listing = cap.mcp_adapters[0].tools
    assert make.input_schema["properties"]["body"] == {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}},
        "description": "The new pet.",
    }
    assert make.input_schema["required"] == ["body"]
    assert make.output.mcp_schema == {
        "type": "object",
        "properties": {
            "id": {"type": ["integer", "null"], "readOnly": True},
            "name": {"type": ["string", "null"]},
        },
    }
    # a list answer is wrapped as the structured content is: {"result": [...]}
    element = {**make.output.mcp_schema, "type": ["object", "null"]}  # type: ignore[dict-item]
    assert listing.output.mcp_schema == {
        "type": "object",
        "properties": {"result": {"type": "array", "items": element}},
    }
