"""The one sanitiser through which spec names become Python names (naftiko_codegen.names)."""

from __future__ import annotations

import builtins
import keyword

import pytest

from naftiko_codegen import names


@pytest.mark.parametrize(
    ("spec_name", "python"),
    [
        ("id.project", "id_project"),
        ("$orderBy", "order_by"),
        ("If-Match", "if_match"),
        ("page[limit]", "page_limit"),
        ("ValidUntilDate<", "valid_until_date_lt"),
        ("ValidUntilDate>", "valid_until_date_gt"),
        ("filter[cvss.base.score][`$op`]", "filter_cvss_base_score_op"),
        ("2fa", "n2fa"),
        ("", "value"),
        ("class", "class_"),
        ("import", "import_"),
        ("type", "type_"),
        ("json", "json_"),
        ("args", "args_"),
        ("upstream", "upstream_"),
        ("name", "name"),
        ("limit", "limit"),
    ],
)
def test_identifier(spec_name: str, python: str) -> None:
    assert names.identifier(spec_name) == python


def test_no_identifier_is_a_keyword_builtin_or_generated_name() -> None:
    reserved = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
    for word in sorted(reserved | names._GENERATED_CODE_NAMES):
        result = names.identifier(word)
        assert result.isidentifier() and not keyword.iskeyword(result), word
        assert result not in reserved | names._GENERATED_CODE_NAMES, word


def test_snake_case_keeps_reserved_words_for_constants() -> None:
    assert names.snake_case("class") == "class"
    assert names.constant_name("admin-executions") == "ADMIN_EXECUTIONS"
    assert names.constant_name("json") == "JSON"


def test_unique_numbers_the_later_names() -> None:
    taken: set[str] = set()
    assert [names.unique(n, taken) for n in ("get_pet", "get_pet", "get_pet")] == [
        "get_pet",
        "get_pet_2",
        "get_pet_3",
    ]
    assert names.unique("list-pets", {"list-pets"}, separator="-") == "list-pets-2"


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("list-pets", "list-pets"),
        ("list.pets", "list_pets"),
        ("list pets / all", "list_pets_all"),
        ("...", "tool"),
    ],
)
def test_mcp_tool_name(name: str, published: str) -> None:
    assert names.mcp_tool_name(name) == published


def test_long_tool_names_are_cut_and_stay_distinct() -> None:
    first = names.mcp_tool_name("get-" + "a" * 80)
    second = names.mcp_tool_name("get-" + "a" * 79 + "b")
    assert len(first) <= 64 and len(second) <= 64 and first != second
    assert names.MCP_TOOL_NAME.match(first) and names.MCP_TOOL_NAME.match(second)


@pytest.mark.parametrize(
    ("reference", "readings"),
    [
        ("id.project", ["id.project"]),
        ("path.org_slug", ["path.org_slug", "org_slug"]),
        ("query.limit", ["query.limit", "limit"]),
        ("_batchId", ["_batchId", "batchId"]),
        ("body.$id", ["body.$id", "$id", "id"]),
    ],
)
def test_reference_readings(reference: str, readings: list[str]) -> None:
    assert names.reference_readings(reference) == readings


def test_references_match_across_case_and_separators() -> None:
    assert names.normalise_reference("id.project") == names.normalise_reference("ID-Project")
    assert names.normalise_reference("id_project") == "id_project"


@pytest.mark.parametrize(
    ("label", "package"),
    [
        ("Flyte Admin API — Executions", "flyte_admin_api_executions"),
        ("json", "json_capability"),
        ("class", "class_capability"),
        ("httpx", "httpx_capability"),
    ],
)
def test_package_name(label: str, package: str) -> None:
    assert names.package_name(label) == package
