"""The one sanitizer through which spec names become Python identifiers."""

from __future__ import annotations

import builtins
import keyword
import re
import sys

_RESERVED = (
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | set(dir(builtins))
    | {"self", "cls", "args", "request", "settings", "client", "body", "query", "headers"}
)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")

MCP_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""Tool names every mainstream MCP client accepts."""


_OPERATORS = (("<=", " le "), (">=", " ge "), ("!=", " ne "), ("<", " lt "), (">", " gt "))


def snake_words(name: str) -> list[str]:
    """Split any spec name (kebab, dotted, camelCase, bracketed) into lowercase words.

    Comparison operators become words, so Twilio's ``Date<`` and ``Date>`` stay distinct.
    """
    for operator, word in _OPERATORS:
        name = name.replace(operator, word)
    spaced = _CAMEL_BOUNDARY.sub(" ", name)
    return [word.lower() for word in _NON_WORD.split(spaced) if word]


def identifier(name: str, *, reserved: bool = True) -> str:
    """A valid, lowercase ``snake_case`` Python identifier for ``name``.

    ``id.project`` → ``id_project``, ``$orderBy`` → ``order_by``, ``If-Match`` → ``if_match``,
    ``page[limit]`` → ``page_limit``. Keywords, soft keywords, builtins and names the generated
    code uses itself get a trailing underscore; a leading digit gets a ``n`` prefix.
    """
    words = snake_words(name)
    result = "_".join(words) or "value"
    if result[0].isdigit():
        result = "n" + result
    if reserved and result in _RESERVED:
        result += "_"
    return result


_TAKEN_MODULES = set(sys.stdlib_module_names) | {
    "anyio",
    "black",
    "defusedxml",
    "fastapi",
    "httpx",
    "jsonschema",
    "mcp",
    "mcp_types",
    "prometheus_client",
    "pydantic",
    "starlette",
    "uvicorn",
    "yaml",
}
"""Top-level modules a generated package must not hide (the standard library and its
dependencies)."""


def package_name(label: str) -> str:
    """The Python package name for a capability label: an identifier that is no keyword and
    does not shadow a module the generated code imports (``json`` → ``json_capability``)."""
    name = identifier(label, reserved=False)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _TAKEN_MODULES:
        name += "_capability"
    return name


def class_name(name: str) -> str:
    """A ``PascalCase`` class name for ``name`` (``admin-executions`` → ``AdminExecutions``)."""
    result = "".join(word.capitalize() for word in snake_words(name)) or "Value"
    return "N" + result if result[0].isdigit() else result


def constant_name(name: str) -> str:
    """An ``UPPER_SNAKE`` name (environment variables, module constants)."""
    return identifier(name, reserved=False).upper()


def distribution_name(name: str) -> str:
    """A PEP 503-normalised distribution name (``flyte-admin-api-executions``)."""
    return "-".join(snake_words(name)) or "capability"


def normalise_reference(name: str) -> str:
    """The key under which `with` references and inputs are matched.

    Case-insensitive, with ``.``, ``-`` and ``_`` treated as the same character.
    """
    return re.sub(r"[._-]", "_", name).lower()
