"""The one sanitizer through which spec names become Python identifiers."""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import sys

_GENERATED_CODE_NAMES = frozenset("""
    aclose annotations answer app args arguments as_boolean as_integer as_list as_number
    as_string asynccontextmanager asyncio basic bearer begin_trace binary_result body
    body_argument body_input body_type build build_server call call_next call_tool client cls
    coerce contents context cookie_header cookie_input create_app create_server
    credential_header credential_query ctx dataclass dataclasses decode decode_csv decode_json
    decode_psv decode_text decode_tsv decode_xml decode_yaml dig digest encode_form encode_json
    end_trace error errors exchange extra_query file_contents files forward forward_path
    get_prompt guard_requests handler header_input header_items headers http_error httpx importlib
    invalid_input is_error is_json json json_body json_payload lifespan lifespan_context
    list_tools load_settings logger logging lookup main mask_secrets_in_logs match math
    max_response_bytes namespace observe on_call_tool open openapi operation os outcome params
    passthrough passthrough_query path path_value payload problem problem_response prompt
    propagate_trace query query_argument query_input query_items quote raw re read_resource
    record_metrics record_requests request resource_result resources response result route
    route_names routing_path run_script run_stdio run_step schema scope secrets segment self
    serve_stdio server session_lifespan settings shaped shaped_result span stdio_server
    step_failed steps streamable_http_app sys text time to_text tool tool_error tool_result
    total_timeout trace transport trusted_headers types unquote upstream upstream_failed
    upstream_message upstreams uri uvicorn value_result
    avro_decoder html_decoder markdown_decoder protobuf_decoder run_javascript
    """.split())
"""Names the generated code itself binds or reads where spec-derived names live too: the modules
and helpers the generated modules import, their module-level functions, the methods of the
generated classes and of the runtime classes they extend (``UpstreamClient``), and the locals
and parameters of the functions that take spec-derived names (MCP tool functions, route handlers
inside ``create_app``, upstream client methods). ``tests/test_hostile_names.py`` builds a
capability named entirely with these (and keywords, builtins and every name a generated module
defines) and checks the package still type-checks and passes every value through."""

_RESERVED = (
    set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | _GENERATED_CODE_NAMES
)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")

MCP_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""Tool names every mainstream MCP client accepts."""
_NOT_TOOL_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]+")


_OPERATORS = (("<=", " le "), (">=", " ge "), ("!=", " ne "), ("<", " lt "), (">", " gt "))


def snake_words(name: str) -> list[str]:
    """Split any spec name (kebab, dotted, camelCase, bracketed) into lowercase words.

    Comparison operators become words, so Twilio's ``Date<`` and ``Date>`` stay distinct.
    """
    for operator, word in _OPERATORS:
        name = name.replace(operator, word)
    spaced = _CAMEL_BOUNDARY.sub(" ", name)
    return [word.lower() for word in _NON_WORD.split(spaced) if word]


def snake_case(name: str) -> str:
    """``name`` as ``snake_case`` words (``id.project`` → ``id_project``), with no check
    against Python's reserved names: for constants, prefixes and suffixes."""
    result = "_".join(snake_words(name)) or "value"
    return "n" + result if result[0].isdigit() else result


def identifier(name: str) -> str:
    """A valid, lowercase ``snake_case`` Python identifier for ``name``, safe in every place
    generated code puts one.

    ``id.project`` → ``id_project``, ``$orderBy`` → ``order_by``, ``If-Match`` → ``if_match``,
    ``page[limit]`` → ``page_limit``. Keywords, soft keywords, builtins and the names the
    generated code uses itself get a trailing underscore (``class`` → ``class_``, ``json`` →
    ``json_``); a leading digit gets a ``n`` prefix.
    """
    result = snake_case(name)
    return result + "_" if result in _RESERVED else result


def unique(name: str, taken: set[str], *, separator: str = "_") -> str:
    """``name``, or ``name_2``, ``name_3``… the first not in ``taken`` (which it is added
    to): spec names that sanitise alike still get distinct generated names."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}{separator}{number}"
    taken.add(candidate)
    return candidate


def mcp_tool_name(name: str) -> str:
    """``name`` in the form every MCP client accepts (1 to 64 of ``[A-Za-z0-9_-]``): other
    characters become ``_``; a longer name keeps its first 55 characters and ends with eight
    hex digits of its SHA-256, so that two long names stay distinct."""
    if MCP_TOOL_NAME.match(name):
        return name
    clean = _NOT_TOOL_CHARACTERS.sub("_", name).strip("_") or "tool"
    if len(clean) > 64:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        clean = clean[:55].rstrip("_-") + "_" + digest
    return clean


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
    name = snake_case(label)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _TAKEN_MODULES:
        name += "_capability"
    return name


def class_name(name: str) -> str:
    """A ``PascalCase`` class name for ``name`` (``admin-executions`` → ``AdminExecutions``)."""
    result = "".join(word.capitalize() for word in snake_words(name)) or "Value"
    return "N" + result if result[0].isdigit() else result


def constant_name(name: str) -> str:
    """An ``UPPER_SNAKE`` name (environment variables, module constants)."""
    return snake_case(name).upper()


def distribution_name(name: str) -> str:
    """A PEP 503-normalised distribution name (``flyte-admin-api-executions``)."""
    return "-".join(snake_words(name)) or "capability"


_LOCATION_QUALIFIERS = frozenset({"path", "query", "header", "headers", "cookie", "body"})


def reference_readings(reference: str) -> list[str]:
    """The input names a ``with`` reference may mean, most literal first: as written, without
    a location qualifier (``path.org_slug`` → ``org_slug``), without leading separators
    (``_batchId`` → ``batchId``)."""
    readings = [reference]
    qualifier, dot, rest = reference.partition(".")
    if dot and rest and qualifier.lower() in _LOCATION_QUALIFIERS:
        readings.append(rest)
    bare = readings[-1].lstrip("._-$")
    if bare and bare != readings[-1]:
        readings.append(bare)
    return readings


def normalise_reference(name: str) -> str:
    """The key under which `with` references and inputs are matched.

    Case-insensitive, with ``.``, ``-`` and ``_`` treated as the same character.
    """
    return re.sub(r"[._-]", "_", name).lower()
