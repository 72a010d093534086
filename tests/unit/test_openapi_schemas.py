"""OpenAPI schemas as JSON Schema 2020-12: conversion cases as data, ``$ref`` rules, and a
property test that no document can produce an invalid schema or an internal error.

Each file of ``tests/data/openapi/cases/`` holds a schema (with the components it
references), the dialect it is written in, and the JSON Schema expected for inputs and for
outputs (``docs/semantics.md``, "OpenAPI documents").
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from naftiko_codegen.diagnostics import CompilationFailed, Severity
from naftiko_codegen.openapi.document import Contract, read_contract
from naftiko_codegen.openapi.schemas import SchemaConverter

CASES = Path(__file__).resolve().parents[1] / "data" / "openapi" / "cases"
VERSIONS = {"2.0": {"swagger": "2.0"}, "3.0": {"openapi": "3.0.3"}, "3.1": {"openapi": "3.1.0"}}


def contract_of(folder: Path, dialect: str, schema: Any, components: dict[str, Any]) -> Contract:
    """A document with one operation whose request body and answer are ``schema``."""
    if dialect == "2.0":
        operation = {
            "parameters": [{"name": "body", "in": "body", "schema": schema}],
            "responses": {"200": {"description": "ok", "schema": schema}},
        }
        document = {**VERSIONS[dialect], "paths": {"/x": {"post": operation}}}
        document["definitions"] = components
        text = json.dumps(document).replace("#/components/schemas/", "#/definitions/")
    else:
        content = {"application/json": {"schema": schema}}
        operation = {
            "requestBody": {"content": content},
            "responses": {"200": {"description": "ok", "content": content}},
        }
        document = {**VERSIONS[dialect], "paths": {"/x": {"post": operation}}}
        document["components"] = {"schemas": components}
        text = json.dumps(document)
    path = folder / "openapi.json"
    path.write_text(text, "utf-8")
    return read_contract(path, "openapi.json")


def converted(contract: Contract, mode: str) -> dict[str, Any]:
    operation = contract.operations[0]
    body = operation.body if mode == "input" else operation.response
    assert body is not None and body.schema is not None
    converter = SchemaConverter(contract.resolver, contract.dialect, mode)  # type: ignore[arg-type]
    return converter.document(body.schema)


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yaml")), ids=lambda path: path.stem)
def test_conversion_cases(case: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(case.read_text("utf-8"))
    contract = contract_of(tmp_path, data["dialect"], data["schema"], data.get("components", {}))
    for mode in ("input", "output"):
        if mode not in data:
            continue
        result = converted(contract, mode)
        Draft202012Validator.check_schema(result)
        assert result == data[mode], f"{mode}:\n{json.dumps(result, indent=2)}"


def write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), "utf-8")
    return path


def body_document(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    return {
        "openapi": "3.0.3",
        "paths": {"/x": {"post": {"requestBody": {"content": content}, "responses": {}}}},
        **extra,
    }


def test_a_local_file_reference_inside_the_folder_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "schemas/pet.json",
        {"Pet": {"type": "object", "properties": {"owner": {"$ref": "owner.json"}}}},
    )
    write(tmp_path, "schemas/owner.json", {"type": "string", "description": "Who owns it."})
    path = write(tmp_path, "api.json", body_document({"$ref": "./schemas/pet.json#/Pet"}))
    contract = read_contract(path, "api.json")
    assert converted(contract, "input") == {
        "type": "object",
        "properties": {"owner": {"type": "string", "description": "Who owns it."}},
    }
    assert contract.resolver.diagnostics == []


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("https://example.com/pet.json#/Pet", "never fetches"),
        ("../outside.json", "outside"),
        ("#/components/schemas/Missing", "names nothing"),
        ("missing.json", "cannot be read"),
        ("#components", "not a JSON pointer"),
    ],
)
def test_references_that_are_not_followed_are_reported_once(
    tmp_path: Path, ref: str, reason: str
) -> None:
    (tmp_path / "outside.json").write_text('{"type": "string"}', "utf-8")
    schema = {"type": "object", "properties": {"a": {"$ref": ref}, "b": {"$ref": ref}}}
    path = write(tmp_path, "api/api.json", body_document(schema, components={"schemas": {}}))
    contract = read_contract(path, "api/api.json")
    assert converted(contract, "input") == {"type": "object", "properties": {"a": {}, "b": {}}}
    [warning] = contract.resolver.diagnostics
    assert warning.code == "NG216" and warning.severity is Severity.WARNING
    assert warning.file == "api/api.json" and warning.line == 1
    assert ref in warning.message
    assert reason in warning.message + (warning.hint or "")


def test_a_yaml_document_locates_its_problems(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(
        "openapi: 3.1.0\npaths:\n  /x:\n    post:\n      requestBody:\n        content:\n"
        "          application/json:\n            schema: {$ref: 'http://x/y.json'}\n",
        "utf-8",
    )
    contract = read_contract(path, "api.yaml")
    converted(contract, "input")
    [warning] = contract.resolver.diagnostics
    assert (warning.line, warning.column) == (8, 21)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('{"openapi": "4.0.0", "paths": {}}', "openapi: '4.0.0'"),
        ('{"swagger": "1.2", "paths": {}}', "swagger: '1.2'"),
        ("- just\n- a list\n", None),
        ('{"openapi": "3.0.0", "paths": []}', "openapi: '3.0.0'"),
    ],
)
def test_what_is_not_an_openapi_document_is_refused(
    tmp_path: Path, text: str, found: str | None
) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(CompilationFailed) as failure:
        read_contract(path, "api.yaml")
    [error] = failure.value.diagnostics
    assert error.code in ("NG214", "NG003") and error.severity is Severity.ERROR
    if error.code == "NG214":
        assert error.found == found


def test_an_unreadable_or_broken_file_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(CompilationFailed) as missing:
        read_contract(tmp_path / "nope.json", "nope.json")
    assert [d.code for d in missing.value.diagnostics] == ["NG006"]
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.0.0",\n  "paths": {,}}', "utf-8")
    with pytest.raises(CompilationFailed) as syntax:
        read_contract(broken, "broken.json")
    [error] = syntax.value.diagnostics
    assert error.code == "NG001" and error.line == 2


def test_deep_chains_and_repeated_shapes_stay_small(tmp_path: Path) -> None:
    components: dict[str, Any] = {
        f"Chain{i}": {
            "type": "object",
            "properties": {"next": {"$ref": f"#/components/schemas/Chain{i + 1}"}},
        }
        for i in range(3000)
    }
    for i in range(40):  # each level uses the next twice: 2**40 copies if all were inlined
        ref = {"$ref": f"#/components/schemas/Twice{i + 1}"}
        components[f"Twice{i}"] = {"type": "object", "properties": {"left": ref, "right": ref}}
    schema = {
        "type": "object",
        "properties": {
            "chain": {"$ref": "#/components/schemas/Chain0"},
            "twice": {"$ref": "#/components/schemas/Twice0"},
        },
    }
    contract = contract_of(tmp_path, "3.0", schema, components)
    for mode in ("input", "output"):
        result = converted(contract, mode)
        Draft202012Validator.check_schema(result)
        assert len(json.dumps(result)) < 200_000


def test_a_document_nested_too_deeply_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"openapi": "3.0.0", "paths": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CompilationFailed) as failure:
        read_contract(path, "deep.json")
    assert [d.code for d in failure.value.diagnostics] == ["NG005"]


# --------------------------------------------------------------------- no document breaks it

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=4))
_KEYS = st.sampled_from(
    [
        "type",
        "format",
        "nullable",
        "x-nullable",
        "enum",
        "const",
        "default",
        "items",
        "properties",
        "required",
        "additionalProperties",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "pattern",
        "readOnly",
        "writeOnly",
        "$ref",
        "prefixItems",
        "description",
        "title",
        "discriminator",
    ]
)
_TYPES = st.sampled_from(["string", "integer", "number", "object", "array", "null", "file"])


def _values(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    refs = st.sampled_from(
        ["#/components/schemas/A", "#/components/schemas/B", "#/nowhere", "x.json", "http://a"]
    )
    return st.one_of(
        _SCALARS,
        _TYPES,
        refs,
        st.lists(st.one_of(_TYPES, children, _SCALARS), max_size=3),
        st.dictionaries(st.text(max_size=3), children, max_size=3),
        children,
    )


_SCHEMAS = st.recursive(
    st.one_of(st.booleans(), st.dictionaries(_KEYS, st.one_of(_SCALARS, _TYPES), max_size=3)),
    lambda children: st.dictionaries(_KEYS, _values(children), max_size=5),
    max_leaves=25,
)


@settings(
    max_examples=int(os.environ.get("NAFTIKO_FUZZ_EXAMPLES", "150")),
    derandomize=os.environ.get("NAFTIKO_FUZZ_RANDOM") != "1",
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    dialect=st.sampled_from(["2.0", "3.0", "3.1"]),
    root=_SCHEMAS,
    a=_SCHEMAS,
    b=_SCHEMAS,
)
def test_any_document_gives_valid_json_schemas(
    tmp_path: Path, dialect: str, root: Any, a: Any, b: Any
) -> None:
    contract = contract_of(tmp_path, dialect, root, {"A": a, "B": b})
    for mode in ("input", "output"):
        operation = contract.operations[0]
        body = operation.body if mode == "input" else operation.response
        if body is None or body.schema is None:
            continue
        converter = SchemaConverter(contract.resolver, contract.dialect, mode)  # type: ignore[arg-type]
        result = converter.document(body.schema)
        Draft202012Validator.check_schema(result)
        Draft202012Validator(result).is_valid({"any": ["value", 1, None]})
