"""The expression emitter (naftiko_codegen/emitters/expressions.py): the code written for each
kind of IR node, and the runtime helpers it records, which must be exactly the ones that
code calls (the generated module imports those and nothing else)."""

from __future__ import annotations

import ast

import pytest

from naftiko_codegen import ir
from naftiko_codegen.emitters.auth import credentials_middleware
from naftiko_codegen.emitters.expressions import Emitter

KEY = ir.PathStep("key", key="spec")
INDEX = ir.PathStep("index", index=0)
ALL = ir.PathStep("all")


def called(code: str) -> set[str]:
    """The plain names ``code`` calls, less the functions it defines itself."""
    tree = ast.parse(code)
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    return calls - defined


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
def test_a_context_path_records_the_helpers_it_calls(
    path: tuple[ir.PathStep, ...], expected: str
) -> None:
    emit = Emitter()
    code = emit.context(ir.ContextRef("step", "lookup", path))
    assert code == expected
    assert emit.used == called(code)


def test_an_input_reference_reads_the_input_variable() -> None:
    emit = Emitter()
    assert (
        emit.context(ir.ContextRef("input", "execution_id", (KEY,))) == 'dig(execution_id, "spec")'
    )
    assert emit.dig("node", ()) == "node"


SECRET = ir.SecretValue("token")
STEP = ir.ContextRef("step", "first", (KEY,))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (ir.InputValue("project"), "project"),
        (ir.LiteralValue({"a": [1, None]}), "{'a': [1, None]}"),
        (ir.LiteralValue(), "None"),
        (ir.TemplateValue(()), "''"),
        (
            ir.TemplateValue((ir.LiteralValue("Bearer "), SECRET)),
            "'Bearer ' + settings.secrets['token']",
        ),
        (
            ir.TemplateValue((ir.LiteralValue("id-"), ir.InputValue("execution_id"))),
            "'id-' + to_text(execution_id)",
        ),
        (
            ir.TemplateValue((ir.ContextValue(STEP),)),
            "to_text(dig(context['first'], 'spec'))",
        ),
        (ir.ContextValue(STEP), "dig(context['first'], 'spec')"),
        (
            ir.ObjectValue((("name", ir.InputValue("name")), ("tags", ir.ArrayValue(())))),
            "{'name': name, 'tags': []}",
        ),
        (
            ir.ArrayValue((ir.LiteralValue(1), ir.TemplateValue((ir.InputValue("x"),)))),
            "[1, to_text(x)]",
        ),
    ],
)
def test_every_kind_of_value_source_is_written_and_its_helpers_recorded(
    source: ir.ValueSource, expected: str
) -> None:
    emit = Emitter()
    code = emit.value(source)
    assert ast.dump(ast.parse(code)) == ast.dump(ast.parse(expected))
    assert emit.used == called(code)


def test_bound_variables_are_read_from_the_settings_object_named() -> None:
    template = ir.TemplateValue((SECRET,))
    assert Emitter().value(template, "self.settings") == 'self.settings.secrets["token"]'


def test_a_node_without_an_emitter_is_a_compiler_bug_not_silent_code() -> None:
    with pytest.raises(TypeError, match="no emitter for ContextRef"):
        Emitter().value(STEP)  # type: ignore[arg-type]


SHAPES = [
    ir.ScalarShape("string", (KEY,)),
    ir.ArrayShape((KEY, ALL), items=ir.ScalarShape("integer", (INDEX,))),
    ir.ArrayShape((ALL,)),
    ir.ArrayShape((ALL, KEY, ALL)),
    ir.ObjectShape(
        properties=(
            ("id", ir.ScalarShape("string", (KEY,))),
            ("nested", ir.ObjectShape((KEY,), (("n", ir.ScalarShape("number")),))),
            ("flags", ir.ArrayShape(items=ir.ScalarShape("boolean"))),
            ("fixed", ir.ValueShape("string", ir.LiteralValue("x"))),
        ),
    ),
]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_shape_function_records_exactly_the_helpers_it_calls(shape: ir.Shape) -> None:
    emit = Emitter()
    code = emit.shape_source("_shape_op", shape)
    assert "def _shape_op(node: Any) -> Any:" in code
    assert emit.used == called(code)


def test_a_mock_result_records_its_conversions() -> None:
    emit = Emitter()
    shape = ir.ObjectShape(
        properties=(("count", ir.ValueShape("integer", ir.TemplateValue((ir.InputValue("n"),)))),),
    )
    code = emit.mock(shape)
    assert code == '{"count": as_integer(to_text(n))}'
    assert emit.used == {"as_integer", "to_text"}


@pytest.mark.parametrize(
    ("body", "helpers"),
    [
        (ir.EncodedBody("json", "application/json", ir.InputValue("payload")), {"encode_json"}),
        (
            ir.EncodedBody("json", "application/json", ir.TemplateValue((ir.LiteralValue("{}"),))),
            set(),
        ),
        (
            ir.EncodedBody(
                "form",
                "application/x-www-form-urlencoded",
                ir.ObjectValue((("a", ir.InputValue("a")),)),
            ),
            {"encode_form"},
        ),
        (
            ir.EncodedBody("text", "text/plain", ir.TemplateValue((ir.InputValue("q"),))),
            {"to_text"},
        ),
        (
            ir.MultipartBody((ir.MultipartPart(ir.LiteralValue("file"), ir.InputValue("data")),)),
            set(),
        ),
    ],
)
def test_each_kind_of_body_is_sent_with_the_helpers_it_records(
    body: ir.RequestBody, helpers: set[str]
) -> None:
    emit = Emitter()
    code = emit.body_args(body, 8)
    call = ast.parse(f"send(\n{code}\n)").body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    keywords = [keyword.arg for keyword in call.value.keywords]
    assert keywords == (["files"] if isinstance(body, ir.MultipartBody) else ["body", "body_type"])
    assert emit.used == helpers == called(f"send(\n{code}\n)") - {"send"}


def test_a_multipart_part_is_written_in_httpx_files_form() -> None:
    part = ir.MultipartPart(
        ir.LiteralValue("file"),
        ir.InputValue("data"),
        ir.LiteralValue("a.txt"),
        ir.LiteralValue("text/plain"),
    )
    code = Emitter().body_args(ir.MultipartBody((part,)), 0)
    assert code == 'files=[("file", ("a.txt", data, "text/plain"))],'


def test_credentials_checks_record_the_middleware_and_the_check() -> None:
    auth = ir.Authentication(
        "apikey", key="X-Key", placement="header", token=ir.TemplateValue((SECRET,))
    )
    emit = Emitter()
    code = credentials_middleware(auth, emit)
    assert emit.used == {"RequireCredentials", "api_key"}
    assert called(code.replace("app.add_middleware", "add")) == {"add", "api_key"}
    assert code.splitlines()[1].strip() == "RequireCredentials,"
