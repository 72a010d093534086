"""The Mustache subset compiled at build time, and the helpers that write Python source."""

from __future__ import annotations

import ast

import pytest

from naftiko_codegen.mustache import TemplateSyntaxError, is_template, tokens
from naftiko_codegen.pylayout import docstring, from_import, ident, layout, py


def test_tokens_split_text_and_variables() -> None:
    assert list(tokens("Hello, {{ name }}!")) == [(False, "Hello, "), (True, "name"), (False, "!")]
    assert list(tokens("{{a}}{{b.c}}")) == [(True, "a"), (True, "b.c")]
    assert is_template("x {{y}}") and not is_template("x {y}")


@pytest.mark.parametrize(
    "text", ["{{#section}}x{{/section}}", "{{> partial}}", "{{{raw}}}", "{{open"]
)
def test_other_mustache_features_are_refused(text: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        list(tokens(text))


@pytest.mark.parametrize(
    "value", ["plain", 'quote " and \\ backslash', "line\nbreak", 1.5, None, [1, {"a": True}]]
)
def test_py_writes_literals_python_reads_back(value: object) -> None:
    assert ast.literal_eval(py(value)) == value


def test_docstrings_never_close_early() -> None:
    for text in ['ends with "', 'has """ inside', "back\\slash", "tab\tand\x00nul"]:
        source = f"def f() -> None:\n    {docstring(text, indent=4)}\n"
        assert ast.get_docstring(ast.parse(source).body[0], clean=False) == text  # type: ignore[arg-type]


def test_ident_refuses_anything_but_a_sanitised_identifier() -> None:
    assert ident("list_pets") == "list_pets"
    for bad in ("class", "a-b", "1x", "x; import os"):
        with pytest.raises(ValueError):
            ident(bad)


def test_long_imports_and_expressions_are_laid_out_as_black_would() -> None:
    names = [f"name_{index}" for index in range(12)]
    assert from_import(".runtime", names).startswith("from .runtime import (\n    name_0,\n")
    assert from_import(".runtime", "a, b") == "from .runtime import a, b"
    long_call = "function(" + ", ".join(f"argument_{i}" for i in range(12)) + ")"
    written = layout(long_call, 4, "value = ")
    assert all(len(line) <= 88 for line in written.splitlines())
    assert ast.parse(written.strip())
