"""The OpenAPI 3.1 document of a generated REST adapter (``<module>_openapi.json``).

Written at build time from the IR, in the capability's own names and spelling; schemas from
the upstream's OpenAPI document (``--openapi``) keep their shared definitions under
``components/schemas``, where the generated package's ``input_checks`` module also reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ir
from .openapi.combine import COMPONENTS_PREFIX, hoist_defs

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}
"""The schema of the ``application/problem+json`` answers of REST adapters."""


def _success_content(
    op: ir.RestOperation, component: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """The media type and schema of a REST operation's success answer."""
    raw = op.invocation.operation.raw_format if op.invocation is not None else "json"
    if raw == "binary":
        return {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    return {"application/json": {"schema": component(op.output.schema or {})}}


OWN_ERRORS = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "413": "BodyTooLarge",
    "414": "UriTooLong",
    "422": "InvalidInput",
    "500": "InternalError",
    "502": "UpstreamUnavailable",
    "504": "UpstreamTimeout",
}
"""The answers of our own (``application/problem+json``) by status, as components."""
OWN_ERROR_DESCRIPTIONS = {
    "BadRequest": "The body is not JSON, is nested too deeply or holds a string too long.",
    "Unauthorized": "The caller's credentials are missing or wrong.",
    "BodyTooLarge": "The request body is larger than the server accepts.",
    "UriTooLong": "A path segment or query value is longer than the server accepts.",
    "InvalidInput": "An input failed validation.",
    "InternalError": "The server failed unexpectedly (its log names the request id).",
    "UpstreamUnavailable": "The upstream API could not be reached.",
    "UpstreamTimeout": "The upstream API did not answer in time.",
}
UPSTREAM_ERROR = {
    "description": "An error answer of the upstream API, passed through with its status "
    "and body.",
    "content": {"*/*": {"schema": {}}},
}
"""What an upstream error answer looks like: whatever the upstream sent."""


def _error_responses(op: ir.RestOperation, *, authenticated: bool) -> dict[str, Any]:
    """The error answers of a REST operation: the upstream's declared errors (else a
    ``default`` answer passing any upstream error through), then our own problems."""
    responses: dict[str, Any] = {}
    if op.invocation is not None:
        contract = op.invocation.operation.contract
        declared = contract.errors if contract is not None else ()
        for code, description in declared:
            described = description or UPSTREAM_ERROR["description"]
            responses[code] = {**UPSTREAM_ERROR, "description": described}
        responses["default"] = UPSTREAM_ERROR
    for code, name in OWN_ERRORS.items():
        if code == "401" and not authenticated:
            continue
        if code in ("502", "504") and op.invocation is None and not op.steps:
            continue
        responses.setdefault(code, {"$ref": f"#/components/responses/{name}"})
    return dict(sorted(responses.items(), key=lambda item: (item[0] == "default", item[0])))


def openapi_document(capability: ir.Capability, adapter: ir.RestAdapter) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a REST adapter, in the spec's own names and spelling.

    Schemas from the upstream's OpenAPI document keep their shared definitions in
    ``components/schemas``.
    """
    paths: dict[str, Any] = {}
    shared: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}

    def component(schema: dict[str, Any]) -> dict[str, Any]:
        return hoist_defs(schema, shared, COMPONENTS_PREFIX)

    for op in adapter.operations:
        parameters = [
            {
                "name": item.name,
                "in": item.location,
                "required": item.required,
                "schema": component(
                    {k: v for k, v in item.json_schema.items() if k != "description"}
                ),
                **({"description": item.description} if item.description else {}),
            }
            for item in op.inputs
            if item.location in ("path", "query", "header", "cookie")
        ]
        operation: dict[str, Any] = {
            "operationId": op.name,
            "summary": op.summary,
            "description": op.description,
            "tags": [adapter.namespace],
            "responses": {
                "200": {
                    "description": "The upstream response, passed through.",
                    "content": _success_content(op, component),
                },
                **_error_responses(op, authenticated=adapter.authentication is not None),
            },
        }
        if parameters:
            operation["parameters"] = parameters
        if op.invocation is not None and op.invocation.forward_body:
            body = op.invocation.operation.body_param
            contract = op.invocation.operation.contract
            typed = contract.request if contract is not None else None
            operation["requestBody"] = {
                "required": bool(body and body.required)
                or (contract is not None and contract.request_required),
                **(
                    {"description": contract.request_description}
                    if contract is not None and contract.request_description
                    else {}
                ),
                "content": {"application/json": {"schema": component(typed or {})}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": capability.label,
            "version": "1.0.0",
            "description": adapter.description or capability.description,
        },
        "paths": paths,
        "components": {
            "schemas": {name: shared[name] for name in sorted(shared)},
            "responses": {
                name: {"description": OWN_ERROR_DESCRIPTIONS[name], "content": problem}
                for name in sorted(OWN_ERROR_DESCRIPTIONS)
            },
        },
    }
