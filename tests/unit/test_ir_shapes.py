"""The JSON Schema each kind of output shape declares (naftiko_codegen/ir/units.py): what MCP
``outputSchema`` and the REST OpenAPI document say a shaped result looks like."""

from __future__ import annotations

import pytest

from naftiko_codegen import ir

KEY = (ir.PathStep("key", key="id"),)


@pytest.mark.parametrize(
    ("shape", "schema"),
    [
        (ir.ScalarShape("integer", KEY), {"type": ["integer", "null"]}),
        (ir.ScalarShape("string"), {"type": ["string", "null"]}),
        (ir.ValueShape("string", ir.LiteralValue("fixed")), {"type": "string"}),
        (ir.ValueShape("string", ir.LiteralValue()), {"type": ["string", "null"]}),
        (ir.ValueShape("object", ir.LiteralValue({})), {"type": "object", "properties": {}}),
        (ir.ArrayShape(KEY), {"type": ["array", "null"], "items": {}}),
        (
            ir.ArrayShape(KEY, ir.ScalarShape("number")),
            {"type": ["array", "null"], "items": {"type": ["number", "null"]}},
        ),
        (
            ir.ObjectShape(properties=(("id", ir.ScalarShape("string", KEY)),)),
            {"type": "object", "properties": {"id": {"type": ["string", "null"]}}},
        ),
        (ir.ObjectShape(KEY), {"type": ["object", "null"], "properties": {}}),
    ],
)
def test_each_kind_of_shape_declares_what_it_builds(shape: ir.Shape, schema: object) -> None:
    assert shape.json_schema == schema


def test_only_a_result_that_is_not_an_object_built_in_place_is_wrapped() -> None:
    def output(shape: ir.Shape) -> ir.Output:
        return ir.Output("shaped", shape.json_schema, shape)

    assert not output(ir.ObjectShape(properties=(("id", ir.ScalarShape("string")),))).wrapped
    assert output(ir.ObjectShape(KEY)).wrapped
    assert output(ir.ArrayShape(KEY)).wrapped
    assert output(ir.ScalarShape("string", KEY)).wrapped
    assert not output(ir.ValueShape("object", ir.LiteralValue({}))).wrapped
