"""Checks of REST inputs against the schemas of the adapter's own OpenAPI document.

The document (served at ``/openapi.json``) carries the types the upstream's OpenAPI gives;
a request whose body or parameters do not match them is refused with a 422 naming the
field, before anything is sent upstream.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .errors import InputError

_DOCUMENT = "urn:naftiko-gen:openapi"


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


class InputChecks:
    """One validator per request body and parameter schema of an OpenAPI document."""

    def __init__(self, openapi: Mapping[str, Any]) -> None:
        registry: Registry[Any] = Registry().with_resource(
            _DOCUMENT, DRAFT202012.create_resource(dict(openapi))
        )
        self._validators: dict[tuple[str, str, str], Draft202012Validator] = {}
        for path, item in openapi.get("paths", {}).items():
            for method, operation in item.items():
                name = operation["operationId"]
                base = _pointer("paths", path, method)
                for index, parameter in enumerate(operation.get("parameters", [])):
                    ref = base + _pointer("parameters", str(index), "schema")
                    self._validators[(name, parameter["in"], parameter["name"])] = (
                        Draft202012Validator(
                            {"$ref": _DOCUMENT + "#" + ref}, registry=registry
                        )
                    )
                if "requestBody" in operation:
                    ref = base + _pointer(
                        "requestBody", "content", "application/json", "schema"
                    )
                    self._validators[(name, "body", "")] = Draft202012Validator(
                        {"$ref": _DOCUMENT + "#" + ref}, registry=registry
                    )

    def body(self, operation: str, content: bytes | None) -> bytes | None:
        """``content`` (JSON text, checked to parse already) when it matches the request
        body's schema; an :class:`InputError` naming the first field that does not."""
        validator = self._validators.get((operation, "body", ""))
        if content is None or validator is None:
            return content
        self._check(validator, json.loads(content), "body", "body")
        return content

    def inputs(self, operation: str, values: Iterable[tuple[str, str, Any]]) -> None:
        """Check the converted ``(location, name, value)`` of parameters; ``None`` is an
        absent optional value and is not checked."""
        for location, name, value in values:
            validator = self._validators.get((operation, location, name))
            if validator is not None and value is not None:
                self._check(validator, value, name, location)

    @staticmethod
    def _check(
        validator: Draft202012Validator, value: Any, field: str, location: str
    ) -> None:
        errors = sorted(
            validator.iter_errors(value),
            key=lambda e: [str(p) for p in e.absolute_path],
        )
        if errors:
            first: ValidationError = errors[0]
            inner = ".".join(str(part) for part in first.absolute_path)
            name = f"{field}.{inner}" if inner else field
            raise InputError(name, location, first.message)
