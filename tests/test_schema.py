"""The JSON Schema (official alpha2 + accepted dialect) and the diagnostics built from it."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from naftiko_codegen import schema_check, schema_words
from naftiko_codegen.diagnostics import Diagnostic
from naftiko_codegen.loader import load_document, load_text
from naftiko_codegen.schema_check import check_schema, load_schema, schema_file

from .conftest import CORPUS
from .corpus_check import ALPHA2_FOLDERS, capability_files

REPO_SPECS = Path(__file__).resolve().parents[1] / "specs"
OFFICIAL_SCHEMA = REPO_SPECS.parent / "schemas" / "official" / "naftiko-schema-alpha2.json"
FLYTE_SPEC = REPO_SPECS / "flyte-admin-executions.yaml"
TRAILING_SLASH = "naftiko-framework/baseuri-trailing-slash-capability.yaml"


# --------------------------------------------------------------------------- helpers


def check(text: str) -> list[Diagnostic]:
    return check_schema(load_text(textwrap.dedent(text).lstrip("\n"), "spec.yaml"))


def summary(diagnostics: list[Diagnostic]) -> list[tuple[str, str, str, str]]:
    """(line:col, code, JSON path, message) of each diagnostic, in order."""
    return [(f"{d.line}:{d.column}", d.code, d.json_path, d.message) for d in diagnostics]


def _corpus_params() -> list[Any]:
    params = [
        pytest.param(p, id=str(p.relative_to(CORPUS)))
        for p in capability_files(*ALPHA2_FOLDERS)
        if p.relative_to(CORPUS).as_posix() != TRAILING_SLASH
    ]
    params.append(pytest.param(FLYTE_SPEC, id="specs/flyte-admin-executions.yaml"))
    return params


MINIMAL = """
naftiko: 1.0.0-alpha2
info:
  label: Demo
  description: A demo capability
capability:
  consumes:
    - type: http
      namespace: up
      baseUri: https://api.example.com/v1
      resources:
        - name: items
          path: /items
          operations:
            - name: list-items
              method: GET
  exposes:
    - type: rest
      port: 8080
      namespace: demo
      resources:
        - path: /items
          operations:
            - method: GET
              call: up.list-items
"""


# --------------------------------------------------------------------------- the schema file


def test_schema_file_is_found_and_is_valid_draft_2020_12() -> None:
    assert schema_file().is_file()
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _walk(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def test_every_official_description_is_kept() -> None:
    official = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    ours = load_schema()
    for path, node in _walk(official):
        if (
            isinstance(node, dict)
            and "description" in node
            and isinstance(node["description"], str)
        ):
            assert _get(ours, path)["description"] == node["description"], path


def _differences(
    official: Any, ours: Any, path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(official, dict) and isinstance(ours, dict):
        for key in official.keys() | ours.keys():
            if key not in ours:
                yield path, f"removed {key}"
            elif key not in official:
                if key != "$comment":
                    yield path, f"added {key}"
            else:
                yield from _differences(official[key], ours[key], (*path, key))
    elif isinstance(official, list) and isinstance(ours, list) and len(official) == len(ours):
        for index, (a, b) in enumerate(zip(official, ours, strict=True)):
            yield from _differences(a, b, (*path, index))
    elif official != ours:
        yield path, "changed"


def test_every_departure_from_the_official_schema_names_its_dialect_rule() -> None:
    official = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    ours = load_schema()
    departures = list(_differences(official, ours))
    assert len(departures) > 10
    for path, what in departures:
        if path == ("$id",):
            continue
        if what.startswith("added "):  # the new node carries its own comment
            path = (*path, what.removeprefix("added "))
        commented = [
            _get(ours, path[:end]).get("$comment", "")
            for end in range(len(path), -1, -1)
            if isinstance(_get(ours, path[:end]), dict)
        ]
        assert any(c.startswith("naftiko-gen dialect:") for c in commented), (path, what)


def test_every_pattern_has_a_plain_language_description() -> None:
    patterns = {
        node["pattern"]
        for _, node in _walk(load_schema())
        if isinstance(node, dict) and isinstance(node.get("pattern"), str)
    }
    missing = patterns - set(schema_words.PATTERN_DESCRIPTIONS)
    assert not missing


# --------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.name) for p in sorted(REPO_SPECS.glob("*.y*ml"))]
)
def test_repository_spec_is_accepted(path: Path) -> None:
    diagnostics = check_schema(load_document(path))
    assert diagnostics == [], "\n".join(d.format_text() for d in diagnostics)


@pytest.mark.parametrize("path", _corpus_params())
def test_corpus_document_is_accepted(path: Path) -> None:
    diagnostics = check_schema(load_document(path))
    assert diagnostics == [], "\n".join(d.format_text() for d in diagnostics)


def test_trailing_slash_base_uri_is_rejected() -> None:
    diagnostics = check_schema(load_document(CORPUS / TRAILING_SLASH, "trailing.yaml"))
    assert summary(diagnostics) == [
        (
            "26:16",
            "NG103",
            "$.capability.consumes[0].baseUri",
            'invalid value "https://api.example.com/v1/" for `baseUri`',
        )
    ]
    assert diagnostics[0].hint is not None and "trailing `/`" in diagnostics[0].hint


def test_the_official_schema_itself_lets_the_trailing_slash_through() -> None:
    """Documents why our baseUri pattern is stricter than the official one."""
    pattern = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))["$defs"]["ConsumesHttp"][
        "properties"
    ]["baseUri"]["pattern"]
    assert re.search(pattern, "https://api.example.com/v1/")


# --------------------------------------------------------------------------- accepted dialect


def test_minimal_document_is_valid() -> None:
    assert check(MINIMAL) == []


DIALECT_DOCUMENT = """
naftiko: 1.0.0-alpha2
info:
  label: Dialect
  description: Every accepted dialect form
  created: '2026-05-19'
binds:
  - namespace: env
    keys:
      API_TOKEN: API_TOKEN
capability:
  consumes:
    - type: http
      namespace: up
      baseUri: https://translate.{region}.amazonaws.com
      headers:
        anthropic-version: '2023-06-01'
        X-Trace: '{{env.API_TOKEN}}'
      authentication:
        type: bearer
        token: '{{env.API_TOKEN}}'
      resources:
        - name: api-v1-executions-id.project-id.domain
          path: /api/v1/executions/{id.project}/{{id.domain}}
          operations:
            - name: list
              method: GET
              outputRawFormat: text
              inputParameters:
                - {name: id.project, in: path, type: string, required: true}
                - {name: id.domain, in: path, type: string, description: The domain}
                - {name: 'fields[]', in: query, type: array, required: false}
                - {name: 'page[limit]', in: query, type: integer}
                - {name: $orderBy, in: query}
                - {name: If-Match, in: header}
                - {name: 'StartTime<', in: query}
              outputParameters:
                - {name: result, type: object, value: $.}
            - name: probe
              method: HEAD
            - name: options
              method: OPTIONS
        - name: Accounts-AccountSid-Calls-CallSid}.json
          path: /Accounts/{AccountSid}/Calls/{CallSid}.json
          operations:
            - name: fetch
              method: GET
    - type: http
      namespace: later
      baseUri: ''
  exposes:
    - type: rest
      port: 8080
      namespace: demo
      description: REST adapters may carry a description
      resources:
        - path: /executions/{id-project}/{id-domain}
          operations:
            - method: GET
              call: up.list
              inputParameters:
                - {name: 'page[limit]', in: query, type: integer, description: Page size}
              outputParameters:
                - {type: object, mapping: $.}
            - method: HEAD
              call: up.probe
              outputParameters:
                - {type: object, value: $.}
            - method: OPTIONS
              call: up.options
              outputParameters:
                - {type: object, mapping: $}
    - type: mcp
      port: 9090
      namespace: demo-mcp
      tools:
        - name: list
          description: List
          call: up.list
          inputParameters:
            - {name: id.project, type: string, description: Project, required: true}
            - {name: $orderBy, type: string, description: Order}
          outputParameters:
            - {type: object, mapping: $.}
"""


def test_every_dialect_form_is_accepted() -> None:
    diagnostics = check(DIALECT_DOCUMENT)
    assert diagnostics == [], "\n".join(d.format_text() for d in diagnostics)


@pytest.mark.parametrize(
    ("original", "replacement", "code", "json_path"),
    [
        # an object output with another mapping still needs properties
        (
            "- {type: object, mapping: $.}\n            - method: HEAD",
            "- {type: object, mapping: $.data}\n            - method: HEAD",
            "NG102",
            "$.capability.exposes[0].resources[0].operations[0].outputParameters[0]",
        ),
        (
            "{name: $orderBy, in: query}",
            "{name: '', in: query}",
            "NG104",
            "$.capability.consumes[0].resources[0].operations[0].inputParameters[4].name",
        ),
        (
            "anthropic-version: '2023-06-01'",
            "'anthropic version': '2023-06-01'",
            "NG103",
            '$.capability.consumes[0].headers["anthropic version"]',
        ),
        (
            "baseUri: ''",
            "baseUri: https://api.example.com/",
            "NG103",
            "$.capability.consumes[1].baseUri",
        ),
        (
            "baseUri: ''",
            "baseUri: ftp://api.example.com",
            "NG103",
            "$.capability.consumes[1].baseUri",
        ),
        (
            "baseUri: ''",
            "baseUri: https://api.example.com/v1 beta",
            "NG103",
            "$.capability.consumes[1].baseUri",
        ),
        (
            "method: OPTIONS\n        - name",
            "method: TRACE\n        - name",
            "NG103",
            "$.capability.consumes[0].resources[0].operations[2].method",
        ),
        (
            "outputRawFormat: text",
            "outputRawFormat: pdf",
            "NG103",
            "$.capability.consumes[0].resources[0].operations[0].outputRawFormat",
        ),
        (
            "name: Accounts-AccountSid-Calls-CallSid}.json",
            "name: ''",
            "NG104",
            "$.capability.consumes[0].resources[1].name",
        ),
    ],
)
def test_dialect_stops_where_it_should(
    original: str, replacement: str, code: str, json_path: str
) -> None:
    text = textwrap.dedent(DIALECT_DOCUMENT)
    assert original in text
    diagnostics = check(text.replace(original, replacement, 1))
    assert [(d.code, d.json_path) for d in diagnostics] == [(code, json_path)]


# --------------------------------------------------------------------------- diagnostics


def test_unknown_key_with_suggestion() -> None:
    diagnostics = check("""
        naftiko: 1.0.0-alpha2
        info:
          label: Demo
          descripton: A typo
        capability:
          exposes:
            - type: rest
              port: 8080
              namespace: demo
        """)
    assert summary(diagnostics) == [
        ("3:3", "NG102", "$.info", "missing required key `description`"),
        ("4:3", "NG100", "$.info.descripton", "unknown key `descripton` (metadata: ignored)"),
    ]
    assert [d.severity.value for d in diagnostics] == ["error", "warning"]
    missing, unknown = diagnostics
    assert missing.hint == "`descripton` looks like a misspelling of `description`"
    assert unknown.hint == "did you mean `description`?"
    assert unknown.found == "`descripton`"
    assert unknown.expected is not None and unknown.expected.startswith(
        "one of `label`, `description`"
    )


def test_unknown_key_without_close_match_lists_allowed_keys() -> None:
    diagnostics = check(
        MINIMAL.replace("      port: 8080\n", "      port: 8080\n      colour: red\n")
    )
    assert summary(diagnostics) == [
        ("19:7", "NG100", "$.capability.exposes[0].colour", "unknown key `colour`")
    ]
    assert diagnostics[0].hint is None
    assert diagnostics[0].expected == (
        "one of `type`, `address`, `port`, `namespace`, `description`, `authentication`, "
        "`resources`"
    )


def test_wrong_type_port_as_string() -> None:
    diagnostics = check(MINIMAL.replace("port: 8080", 'port: "8080"'))
    assert summary(diagnostics) == [
        ("18:13", "NG101", "$.capability.exposes[0].port", 'expected integer, found string "8080"')
    ]
    assert diagnostics[0].expected == "integer"
    assert diagnostics[0].found == 'string "8080"'
    assert diagnostics[0].hint == "write 8080 without quotes"


def test_missing_namespace() -> None:
    diagnostics = check(MINIMAL.replace("      namespace: demo\n", ""))
    assert summary(diagnostics) == [
        ("17:7", "NG102", "$.capability.exposes[0]", "missing required key `namespace`")
    ]
    assert diagnostics[0].expected == "required keys `type`, `port`, `namespace`"
    assert diagnostics[0].found == "keys `type`, `port`, `resources`"


def test_bad_enum_method() -> None:
    diagnostics = check(MINIMAL.replace("method: GET\n", "method: FETCH\n", 1))
    assert summary(diagnostics) == [
        (
            "15:23",
            "NG103",
            "$.capability.consumes[0].resources[0].operations[0].method",
            'invalid value "FETCH" for `method`',
        )
    ]
    assert diagnostics[0].expected == (
        "one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, `OPTIONS`"
    )
    assert diagnostics[0].found == '"FETCH"'


def test_enum_suggests_the_value_in_another_case() -> None:
    diagnostics = check(MINIMAL.replace("method: GET\n", "method: get\n", 1))
    assert diagnostics[0].hint == "did you mean `GET`?"


MCP_TOOL = """
naftiko: 1.0.0-alpha2
info: {label: Demo, description: Demo}
capability:
  consumes:
    - type: http
      namespace: up
      baseUri: https://api.example.com
      resources:
        - name: items
          path: /items
          operations: [{name: list-items, method: GET}]
  exposes:
    - type: mcp
      port: 9090
      namespace: tools
      tools:
        - name: List Items
          description: List the items
          call: up.list-items
          hints:
            readOnly: 'yes'
          outputParameters:
            - type: object
              mapping: $.items
"""


def test_bad_mcp_tool_reports_only_the_mcp_alternative() -> None:
    diagnostics = check(MCP_TOOL)
    assert summary(diagnostics) == [
        (
            "17:17",
            "NG103",
            "$.capability.exposes[0].tools[0].name",
            'invalid value "List Items" for `name`',
        ),
        (
            "21:23",
            "NG101",
            "$.capability.exposes[0].tools[0].hints.readOnly",
            'expected boolean, found string "yes"',
        ),
        (
            "23:15",
            "NG102",
            "$.capability.exposes[0].tools[0].outputParameters[0]",
            "missing required key `properties`",
        ),
    ]
    name, _, output = diagnostics
    assert name.expected == (
        "a name such as `list-pets`, `list_pets` or `ListPets` (letters, digits, `-`, `_`, `.`)"
    )
    assert name.hint == "for example `list-items`"
    assert output.hint is not None and "mapping: $." in output.hint
    text = "\n".join(d.format_text() for d in diagnostics)
    for foreign in ("rest", "skill", "control", "steps", "`ref`", "MockOutput", "valid under"):
        assert foreign not in text


def test_mistyped_adapter_type_lists_the_adapter_types() -> None:
    diagnostics = check(MCP_TOOL.replace("type: mcp", "type: mpc"))
    assert summary(diagnostics) == [
        ("13:13", "NG103", "$.capability.exposes[0].type", 'invalid value "mpc" for `type`')
    ]
    assert diagnostics[0].expected == "one of `rest`, `mcp`, `skill`, `control`"
    assert diagnostics[0].hint == "did you mean `mcp`?"


def test_missing_adapter_type_names_the_type_the_keys_fit() -> None:
    diagnostics = check(MINIMAL.replace("    - type: rest\n      port", "    - port"))
    assert summary(diagnostics) == [
        ("17:7", "NG102", "$.capability.exposes[0]", "missing required key `type`")
    ]
    assert diagnostics[0].expected == "`type: rest`"
    assert diagnostics[0].hint == "the other keys fit `type: rest`"


def test_wrong_bearer_auth_field() -> None:
    text = MINIMAL.replace(
        "      baseUri: https://api.example.com/v1\n",
        "      baseUri: https://api.example.com/v1\n"
        "      authentication:\n"
        "        type: bearer\n"
        "        tokn: '{{API_TOKEN}}'\n",
    )
    diagnostics = check(text)
    assert summary(diagnostics) == [
        (
            "12:9",
            "NG100",
            "$.capability.consumes[0].authentication.tokn",
            "unknown key `tokn`",
        )
    ]
    assert diagnostics[0].hint == "did you mean `token`?"
    assert diagnostics[0].expected == "one of `type`, `description`, `token`"


def test_bearer_auth_with_basic_fields() -> None:
    text = MINIMAL.replace(
        "      baseUri: https://api.example.com/v1\n",
        "      baseUri: https://api.example.com/v1\n"
        "      authentication:\n"
        "        type: bearer\n"
        "        username: me\n",
    )
    diagnostics = check(text)
    assert [(d.code, d.json_path, d.message) for d in diagnostics] == [
        ("NG100", "$.capability.consumes[0].authentication.username", "unknown key `username`")
    ]


def test_mcp_transport_forms() -> None:
    http_without_port = check(MCP_TOOL.replace("      port: 9090\n", ""))
    assert [(d.code, d.json_path, d.message) for d in http_without_port][0] == (
        "NG102",
        "$.capability.exposes[0]",
        "missing required key `port`",
    )
    assert http_without_port[0].hint == "add `port`; or `transport: stdio`"
    stdio_with_port = check(
        MCP_TOOL.replace("      port: 9090\n", "      port: 9090\n      transport: stdio\n")
    )
    assert (
        stdio_with_port[0].code,
        stdio_with_port[0].json_path,
        stdio_with_port[0].message,
        f"{stdio_with_port[0].line}:{stdio_with_port[0].column}",
    ) == ("NG104", "$.capability.exposes[0].port", "`port` is not allowed here", "14:7")


def test_tool_without_call_lists_the_alternatives() -> None:
    diagnostics = check(MCP_TOOL.replace("          call: up.list-items\n", ""))
    first = next(d for d in diagnostics if d.code == "NG102")
    assert (first.code, first.json_path, first.message) == (
        "NG102",
        "$.capability.exposes[0].tools[0]",
        "missing required key `call`",
    )
    assert first.hint == "add `call`; or `steps`; or `ref`"
    # the output parameter looks like a mapped one, not a mock one: its own problem is reported
    assert [(d.code, d.json_path) for d in diagnostics if d is not first] == [
        ("NG103", "$.capability.exposes[0].tools[0].name"),
        ("NG101", "$.capability.exposes[0].tools[0].hints.readOnly"),
        ("NG102", "$.capability.exposes[0].tools[0].outputParameters[0]"),
    ]
    bare = check("""
        naftiko: 1.0.0-alpha2
        info: {label: Demo, description: Demo}
        capability:
          exposes:
            - type: mcp
              port: 9090
              namespace: tools
              tools:
                - name: list
        """)
    assert summary(bare) == [
        ("9:11", "NG102", "$.capability.exposes[0].tools[0]", "missing required key `call`"),
        ("9:11", "NG102", "$.capability.exposes[0].tools[0]", "missing required key `description`"),
    ]
    assert bare[0].hint == (
        "add `description` and `call`; or `description` and `steps`; or `ref`; "
        "or `description` and `outputParameters`"
    )


def test_several_errors_are_all_reported_in_order() -> None:
    diagnostics = check("""
        naftiko: '1.0'
        info:
          label: Demo
          description: Demo
          created: 2026-5-1
        binds:
          - namespace: env
            keys:
              api_token: API_TOKEN
        capability:
          consumes:
            - type: http
              namespace: up
              baseUri: https://api.example.com/
              resources:
                - name: items
                  path: /items
                  operations:
                    - name: list-items
                      method: FETCH
          exposes:
            - type: rest
              address: bad host!
              port: 70000
              namespace: demo
              resources: []
            - type: mcp
              port: 9090
              namespace: tools
              tools:
                - name: list
                  description: List
                  call: up.list-items
                  with:
                    flag: true
                  outputParameters:
                    - type: integer
                      mapping: $.count
            - rest
        """)
    assert summary(diagnostics) == [
        ("1:10", "NG103", "$.naftiko", 'invalid value "1.0" for `naftiko`'),
        ("5:12", "NG103", "$.info.created", 'invalid value "2026-5-1" for `created`'),
        ("9:7", "NG103", "$.binds[0].keys.api_token", 'invalid key "api_token"'),
        (
            "14:16",
            "NG103",
            "$.capability.consumes[0].baseUri",
            'invalid value "https://api.example.com/" for `baseUri`',
        ),
        (
            "20:23",
            "NG103",
            "$.capability.consumes[0].resources[0].operations[0].method",
            'invalid value "FETCH" for `method`',
        ),
        (
            "23:16",
            "NG103",
            "$.capability.exposes[0].address",
            'invalid value "bad host!" for `address`',
        ),
        ("24:13", "NG104", "$.capability.exposes[0].port", "must be at most 65535"),
        (
            "35:19",
            "NG101",
            "$.capability.exposes[1].tools[0].with.flag",
            "expected string or number, found boolean true",
        ),
        (
            "37:21",
            "NG103",
            "$.capability.exposes[1].tools[0].outputParameters[0].type",
            'invalid value "integer" for `type`',
        ),
        ("39:7", "NG101", "$.capability.exposes[2]", 'expected mapping, found string "rest"'),
    ]
    by_path = {d.json_path: d for d in diagnostics}
    assert by_path["$.naftiko"].expected == "one of `1.0.0-alpha2`, `1.0.0-alpha1`"
    assert by_path["$.info.created"].expected == "a date written YYYY-MM-DD, quoted"
    assert by_path["$.binds[0].keys.api_token"].hint == "for example `API_TOKEN`"
    assert by_path["$.capability.exposes[0].address"].expected == (
        "a host name, an IPv4 address or an IPv6 address"
    )
    assert by_path["$.capability.exposes[1].tools[0].outputParameters[0].type"].expected == (
        "one of `string`, `number`, `boolean`, `object`, `array`"
    )
    assert [(d.line, d.column) for d in diagnostics] == sorted(
        (d.line, d.column) for d in diagnostics
    )


def test_skill_tool_with_both_sources() -> None:
    diagnostics = check("""
        naftiko: 1.0.0-alpha2
        info: {label: Demo, description: Demo}
        capability:
          exposes:
            - type: skill
              port: 7070
              namespace: skills
              skills:
                - name: orders
                  description: Orders
                  tools:
                    - name: guide
                      description: The guide
                      from: {sourceNamespace: api, action: list}
                      instruction: guide.md
        """)
    assert summary(diagnostics) == [
        (
            "12:15",
            "NG104",
            "$.capability.exposes[0].skills[0].tools[0]",
            "`from` and `instruction` cannot be used together",
        )
    ]


def test_request_body_forms() -> None:
    base = MINIMAL.replace(
        "              method: GET\n  exposes",
        "              method: POST\n              body: BODY\n  exposes",
    )
    typo = check(base.replace("BODY", "{type: jsn, data: {}}"))
    assert [(d.code, d.json_path, d.hint) for d in typo] == [
        (
            "NG103",
            "$.capability.consumes[0].resources[0].operations[0].body.type",
            "did you mean `json`?",
        )
    ]
    number = check(base.replace("BODY", "42"))
    assert [(d.code, d.message) for d in number] == [
        ("NG101", "expected mapping or string, found integer 42")
    ]
    assert check(base.replace("BODY", "'{\"a\": 1}'")) == []


def test_document_root_problems() -> None:
    diagnostics = check("info: {label: Demo, description: Demo}\nextra: 1\n")
    assert summary(diagnostics) == [
        ("1:1", "NG102", "$", "missing required key `capability`"),
        ("1:1", "NG102", "$", "missing required key `naftiko`"),
        ("2:1", "NG100", "$.extra", "unknown key `extra`"),
    ]
    assert diagnostics[0].hint == "add `naftiko` and `capability`; or `naftiko` and `consumes`"
    # naftiko present, neither capability nor consumes: both ways out are offered
    only_version = check("naftiko: 1.0.0-alpha2\n")
    assert summary(only_version) == [("1:1", "NG102", "$", "missing required key `capability`")]
    assert only_version[0].hint == "add `capability`; or `consumes`"


def test_empty_value_is_explained() -> None:
    diagnostics = check(MINIMAL.replace("  description: A demo capability", "  description:"))
    assert summary(diagnostics) == [
        ("4:15", "NG101", "$.info.description", "expected string, found null")
    ]
    assert diagnostics[0].hint == "the value is empty: fill it in or remove the key"


def test_messages_are_short_single_lines_without_repr_dumps() -> None:
    texts = [
        MCP_TOOL,
        MCP_TOOL.replace("type: mcp", "type: grpc"),
        MCP_TOOL.replace("      port: 9090\n", ""),
        MINIMAL.replace("port: 8080", "port: [1, 2]"),
        MINIMAL.replace("    - type: rest\n      port", "    - port"),
    ]
    for text in texts:
        for diagnostic in check(text):
            for part in (
                diagnostic.message,
                diagnostic.expected,
                diagnostic.found,
                diagnostic.hint,
            ):
                if part is None:
                    continue
                assert "\n" not in part
                assert len(part) <= 160, part
                assert "{'" not in part and "is not valid under" not in part, part
            assert len(diagnostic.message) <= 80, diagnostic.message


def test_validity_memo_does_not_hide_errors() -> None:
    valid = MCP_TOOL.replace("name: List Items", "name: list-items").replace("'yes'", "true")
    valid = valid.replace("mapping: $.items", "mapping: $.")
    assert check(valid) == []  # the output parameter is now remembered as valid
    invalid = valid.replace("type: object", "type: objekt")
    assert [(d.code, d.json_path) for d in check(invalid)] == [
        ("NG103", "$.capability.exposes[0].tools[0].outputParameters[0].type")
    ]


def test_results_are_deterministic() -> None:
    first = check(MCP_TOOL)
    for memo in schema_check._VALID_MEMOS.values():
        memo.clear()
    assert check(MCP_TOOL) == first
    assert check(MCP_TOOL) == first
