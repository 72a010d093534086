"""The lowering collaborators one by one: scope, bound variables and values, call arguments."""

from __future__ import annotations

import textwrap

import pytest

from naftiko_codegen import ir
from naftiko_codegen.diagnostics import Severity
from naftiko_codegen.loader import load_text
from naftiko_codegen.lowering.aggregates import Aggregates
from naftiko_codegen.lowering.arguments import Arguments
from naftiko_codegen.lowering.auth import Authentication
from naftiko_codegen.lowering.binds import Binds
from naftiko_codegen.lowering.bodies import Bodies
from naftiko_codegen.lowering.consumes import Consumes
from naftiko_codegen.lowering.context import Diagnostics, SkipOperation
from naftiko_codegen.lowering.imports import Imports
from naftiko_codegen.lowering.scope import DROPPED, Scope, implicit_input
from naftiko_codegen.lowering.values import Values

SPEC = textwrap.dedent("""
    naftiko: 1.0.0-alpha2
    info: {label: Units, description: Units.}
    binds:
      - namespace: env
        keys: {TOKEN: TOKEN, UNUSED: UNUSED}
    capability:
      consumes:
        - type: http
          namespace: pets
          baseUri: https://{region}.pets.example/v1
          resources:
            - name: pet
              path: /owners/{owner}/pets/{petId}
              operations:
                - name: get-pet
                  method: GET
                  inputParameters:
                    - {name: owner, in: path, value: '{{env.OWNER}}'}
                    - {name: expand, in: query, required: true}
                    - {name: limit, in: query}
    """).lstrip()


class Units:
    """The collaborators of one document, wired as ``lower.lower`` wires them."""

    def __init__(self, text: str = SPEC) -> None:
        document = load_text(text, "units.yaml")
        self.diagnostics = Diagnostics(document)
        self.binds = Binds(self.diagnostics, document.data)
        self.binds.collect()
        self.values = Values(self.diagnostics, self.binds)
        authentication = Authentication(self.diagnostics, self.values)
        self.consumes = Consumes(
            self.diagnostics,
            self.binds,
            self.values,
            authentication,
            Imports(self.diagnostics, document),
            "UNITS",
        )
        self.consumes.lower(
            document.data["capability"]["consumes"][0], ("capability", "consumes", 0)
        )
        self.arguments = Arguments(
            self.diagnostics,
            self.values,
            Aggregates(self.diagnostics, document.data),
            self.consumes,
            Bodies(self.diagnostics, self.values),
        )

    def scope(self, **inputs: str) -> Scope:
        scope = Scope(self.diagnostics, "pets-rest", ("here",))
        for name, location in inputs.items():
            scope.add(ir.ExposedInput(name, name, location, "string", True, ""))  # type: ignore[arg-type]
        return scope

    @property
    def get_pet(self) -> ir.ConsumedOperation:
        return self.consumes.apis["pets"].operations[0]


def test_scope_gives_inputs_distinct_python_names() -> None:
    scope = Units().scope()
    first = scope.add(ir.ExposedInput("page[limit]", "page_limit", "query", "string", False, ""))
    second = scope.add(ir.ExposedInput("page_limit", "page_limit", "query", "string", False, ""))
    assert (first.ident, second.ident) == ("page_limit", "page_limit_2")


def test_scope_finds_inputs_by_every_reading() -> None:
    scope = Units().scope(org_slug="path", batchId="query")
    for reference in ("org_slug", "ORG-SLUG", "path.org_slug", "_batchId", "query.batchId"):
        assert scope.find(reference) is not None, reference
    assert scope.find("nothing") is None


def test_values_compile_templates_over_secrets_and_inputs() -> None:
    units = Units()
    source = units.values.compile(
        "Bearer {{TOKEN}} for {{user}}", ("x",), units.scope(user="query")
    )
    assert source == ir.TemplateValue(
        (
            ir.LiteralValue("Bearer "),
            ir.SecretValue("TOKEN"),
            ir.LiteralValue(" for "),
            ir.InputValue("user"),
        )
    )
    assert units.values.compile(42, ("x",)) == ir.LiteralValue(42)


def test_an_unknown_tag_is_an_error_or_skips_the_operation() -> None:
    units = Units()
    before = len(units.diagnostics.found)
    units.values.compile("{{nobody}}", ("a",))
    [error] = units.diagnostics.found[before:]
    assert (error.code, error.severity, error.json_path) == ("NG202", Severity.ERROR, "$.a")
    with pytest.raises(SkipOperation):
        units.values.compile("{{nobody}}", ("b",), skip_on_error=True)


def test_binds_report_what_nothing_references() -> None:
    units = Units()
    units.binds.report_unused(imports_failed=False)
    assert [d.json_path for d in units.diagnostics.found if d.code == "NG210"] == [
        "$.binds[0].keys.TOKEN",
        "$.binds[0].keys.UNUSED",
    ]


def test_a_placeholder_fed_by_its_value_and_a_declared_parameter_nothing_feeds() -> None:
    units = Units()
    scope = units.scope(petId="path")
    wanted: list[tuple[str, str]] = []

    def policy(reference: str, param: ir.ConsumedParam, *, source: str = "with") -> ir.ExposedInput:
        wanted.append((param.name, source))
        return implicit_input(reference, param, units.get_pet, required=param.required_declared)

    scope.implicit = policy  # type: ignore[assignment]
    arguments = dict((p.name, s) for p, s in units.arguments.bind(units.get_pet, {}, scope, ()))
    assert isinstance(arguments["owner"], ir.TemplateValue)  # its own value, a bound variable
    assert arguments["petId"] == ir.InputValue("petId")
    assert wanted == [("expand", "declared"), ("limit", "declared")]
    assert [(i.name, i.required) for i in scope.inputs.values()] == [
        ("petId", True),
        ("expand", True),
        ("limit", False),
    ]


def test_with_references_and_dropped_credentials() -> None:
    units = Units()
    scope = units.scope(petId="path", q="query")
    scope.implicit = lambda reference, param, *, source="with": DROPPED  # type: ignore[assignment]
    with_map = {"limit": "rest.q", "expand": "literal text"}
    arguments = dict(
        (p.name, s) for p, s in units.arguments.bind(units.get_pet, with_map, scope, ())
    )
    assert arguments["limit"] == ir.InputValue("q")
    assert arguments["expand"] == ir.LiteralValue("literal text")


def test_a_reference_to_no_input_skips_the_operation() -> None:
    units = Units()
    before = len(units.diagnostics.found)
    with pytest.raises(SkipOperation):
        units.arguments.bind(
            units.get_pet, {"limit": "rest.missing"}, units.scope(petId="path"), ()
        )
    [warning] = units.diagnostics.found[before:]
    assert warning.code == "NG202" and "refers to no input" in warning.message


def test_base_uri_placeholders_are_settings_or_bound_variables() -> None:
    api = Units().consumes.apis["pets"]
    assert [(p.name, p.env, p.variable) for p in api.base_uri_placeholders] == [
        ("region", "UNITS_PETS_REGION", "")
    ]
