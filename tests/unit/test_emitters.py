"""The expression emitters (naftiko_codegen/emitters): the code written for one IR node, and
the helpers that code calls, worked out from the node rather than from the text."""

from __future__ import annotations

import ast

import pytest

from naftiko_codegen import ir
from naftiko_codegen.emitters.expressions import context_expr, context_helpers, dig

KEY = ir.PathStep("key", key="spec")
INDEX = ir.PathStep("index", index=0)
ALL = ir.PathStep("all")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), 'context["lookup"]'),
        ((KEY, INDEX), 'dig(context["lookup"], "spec", 0)'),
        ((ALL,), '[item_1 for item_1 in as_list(context["lookup"])]'),
        (
            (KEY, ALL, KEY),
            '[dig(item_1, "spec") for item_1 in as_list(dig(context["lookup"], "spec"))]',
        ),
        (
            (ALL, ALL, KEY),
            '[[dig(item_2, "spec") for item_2 in as_list(item_1)]'
            ' for item_1 in as_list(context["lookup"])]',
        ),
    ],
)
def test_context_expr_and_its_helpers_agree(path: tuple[ir.PathStep, ...], expected: str) -> None:
    ref = ir.ContextRef("step", "lookup", path)
    code = context_expr(ref)
    assert code == expected
    called = {
        node.func.id
        for node in ast.walk(ast.parse(code, mode="eval"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert context_helpers(ref) == called


def test_an_input_reference_reads_the_input_variable() -> None:
    reference = ir.ContextRef("input", "execution_id", (KEY,))
    assert context_expr(reference) == 'dig(execution_id, "spec")'
    assert dig("node", ()) == "node"


def test_a_missing_reference_is_a_compiler_bug_not_silent_code() -> None:
    with pytest.raises(ValueError, match="without a reference"):
        context_expr(None)
