"""Tools for agents, settled in lowering (lowering/agent_tools): titles, descriptions of
what a tool calls, argument descriptions, the projection argument's name and the output
schema that accepts partial answers."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from naftiko_codegen import ir
from naftiko_codegen.lowering.agent_tools import accepting_partial_answers
from naftiko_codegen.pipeline import analyse

SPEC = textwrap.dedent("""
    naftiko: 1.0.0-alpha2
    info: {label: Agents, description: Tools for agents.}
    capability:
      consumes:
        - type: http
          namespace: ships
          baseUri: http://localhost:8000
          resources:
            - name: ships
              path: /ships
              operations:
                - name: find-ships
                  method: GET
                  inputParameters:
                    - {name: jsonpath, in: query}
                    - {name: fields, in: query}
                - name: logo
                  method: GET
                  outputRawFormat: binary
      exposes:
        - type: mcp
          namespace: ships-mcp
          port: 9090
          tools:
            - name: find-ships
              description: Find ships by name. Matches are fuzzy.
              call: ships.find-ships
              inputParameters:
                - {name: jsonpath, type: string, description: ''}
                - {name: fields, type: string, description: Fields to return.}
              with:
                jsonpath: tools.jsonpath
                fields: tools.fields
            - name: fleet-logo
              description: The logo of the fleet, a PNG image that the registry renders on request.
              call: ships.logo
            - name: ship-count
              label: Ship count
              description: ''
              outputParameters:
                - {name: count, type: string, value: '3'}
    """).lstrip()


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ir.McpTool]:
    spec = tmp_path_factory.mktemp("agents") / "agents.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    capability, _, _ = analyse(Path(spec))
    return {tool.name: tool for tool in capability.mcp_adapters[0].tools}


def test_the_projection_argument_never_takes_a_tool_argument_name(
    tools: dict[str, ir.McpTool],
) -> None:
    find = tools["find-ships"]
    assert find.projection == "jsonpath_2"
    properties = find.input_schema["properties"]
    assert list(properties) == ["jsonpath", "fields", "jsonpath_2"]
    assert "JSONPath" in properties["jsonpath_2"]["description"]
    assert "jsonpath_2" not in find.input_schema.get("required", [])


def test_a_binary_answer_takes_no_projection(tools: dict[str, ir.McpTool]) -> None:
    assert tools["fleet-logo"].projection is None
    assert "jsonpath" not in tools["fleet-logo"].input_schema["properties"]
    assert tools["ship-count"].projection == "jsonpath"


def test_titles_descriptions_and_argument_notes(tools: dict[str, ir.McpTool]) -> None:
    find = tools["find-ships"]
    assert find.title == "Find ships by name"
    assert find.description == (
        "Find ships by name. Matches are fuzzy.\n\nCalls GET /ships of the API `ships`."
    )
    properties = find.input_schema["properties"]
    assert (
        properties["jsonpath"]["description"]
        == "Sent as the query parameter `jsonpath` of GET /ships."
    )
    assert properties["fields"]["description"] == "Fields to return."
    logo = tools["fleet-logo"]
    assert logo.title == "Fleet logo"
    assert logo.description.endswith("on request.\n\nCalls GET /ships of the API `ships`.")
    count = tools["ship-count"]
    assert count.title == "Ship count"
    assert count.description == "Answers from its declared output values; calls no API."


PARTIALS = [{"matches": [1, "a"]}, {"truncated": "[answer truncated: ...]"}]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object"},
        {"type": "object", "properties": {"id": {"type": "string"}}},
        {"type": "object", "properties": {"result": {"type": "number"}}, "required": ["result"]},
        {"type": "object", "properties": {"matches": {"type": "integer"}}},
        {
            "type": "object",
            "properties": {"a": {"$ref": "#/$defs/A"}},
            "additionalProperties": False,
            "$defs": {"A": {"type": "string"}},
        },
    ],
)
def test_the_output_schema_accepts_answers_and_partial_answers(schema: dict[str, Any]) -> None:
    widened = accepting_partial_answers(schema)
    assert widened is not None and widened["type"] == "object"
    Draft202012Validator.check_schema(widened)
    validator = Draft202012Validator(widened)
    for partial in PARTIALS:
        assert validator.is_valid(partial), (widened, partial)
    answers = (
        [{"a": "x"}] if "$defs" in schema else [{"result": 1}] if "required" in schema else [{}]
    )
    for answer in answers:
        assert validator.is_valid(answer) == Draft202012Validator(schema).is_valid(answer)
    if set(schema) <= {"type", "properties"} and "matches" not in schema.get("properties", {}):
        assert widened is schema  # an open object already accepts them: published unchanged
    assert accepting_partial_answers(None) is None


def test_a_beta5_tool_keeps_its_tags_for_the_selection(tmp_path: Path) -> None:
    shipyard = Path(__file__).resolve().parent.parent / "data" / "beta5" / "shipyard"
    text = (shipyard / "shipyard.yml").read_text(encoding="utf-8")
    tagged = text.replace(
        '          display: "Greet"\n', '          display: "Greet"\n          tags: [crew, ops]\n'
    )
    assert tagged != text
    copy = tmp_path / "shipyard"
    shutil.copytree(shipyard, copy)
    (copy / "shipyard.yml").write_text(tagged, encoding="utf-8")
    capability, _, _ = analyse(copy / "shipyard.yml")
    tools = {tool.name: tool for tool in capability.mcp_adapters[0].tools}
    assert tools["greet"].tags == ("crew", "ops")
    assert tools["ship-summary"].tags == ()
