"""Compiling consumed request bodies (``body:``) for one exposed operation.

JSON bodies are compiled structurally, never by text substitution: a template such as
``{"id": "{{userId}}"}`` becomes an object whose ``id`` member is the input itself, so an
input containing quotes can never change the JSON document's structure.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from typing import Any

from .. import ir
from ..diagnostics import Path
from ..mustache import TemplateSyntaxError, tokens
from .context import Diagnostics
from .scope import Scope
from .values import Values

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Methods whose call forwards the caller's body when the spec does not build one."""
_TEXT_TYPES = {"text": "text/plain", "xml": "application/xml", "sparql": "application/sparql-query"}


@dataclasses.dataclass(eq=False)
class Bodies:
    """Builds request bodies (:class:`ir.EncodedBody`, :class:`ir.MultipartBody`)."""

    diagnostics: Diagnostics
    values: Values

    def request_body(self, template: ir.BodyTemplate, scope: Scope) -> ir.RequestBody:
        """Compile a consumed operation's ``body`` against the exposed inputs."""
        path, kind, data = template.path, template.kind, template.data
        if template.bare:
            assert isinstance(data, str)
            return ir.EncodedBody("json", "application/json", self.json_value(data, path, scope))
        data_path = path + ("data",)
        if kind == "json":
            if isinstance(data, str):
                value = self.json_value(data, data_path, scope)
            else:
                value = self.structure(data, data_path, scope)
            return ir.EncodedBody("json", "application/json", value)
        if kind in _TEXT_TYPES:
            value = self.values.compile(str(data), data_path, scope, skip_on_error=True)
            return ir.EncodedBody("text", _TEXT_TYPES[kind], value)
        if kind == "formUrlEncoded":
            if isinstance(data, str):
                value = self.values.compile(data, data_path, scope, skip_on_error=True)
                return ir.EncodedBody("text", "application/x-www-form-urlencoded", value)
            return ir.EncodedBody(
                "form", "application/x-www-form-urlencoded", self.structure(data, data_path, scope)
            )
        if kind == "multipartForm":
            return ir.MultipartBody(self.multipart_parts(data, data_path, scope))
        raise self.diagnostics.skip(path, "NG211", f"`{kind}` request bodies are not generated yet")

    def multipart_parts(self, data: Any, path: Path, scope: Scope) -> tuple[ir.MultipartPart, ...]:
        """``multipartForm`` parts, in order: name, value and filename compiled as templates
        over the inputs and bound variables, ``contentType`` a literal (``None``: absent)."""
        parts = []
        for index, part in enumerate(data or []):
            fields: dict[str, ir.ValueSource] = {}
            for field in ("name", "value", "filename"):
                fields[field] = ir.LiteralValue()
                if field in part:
                    field_path = path + (index, field)
                    fields[field] = self.values.compile(
                        str(part[field]), field_path, scope, skip_on_error=True
                    )
            content_type = part.get("contentType")
            literal = ir.LiteralValue(None if content_type is None else str(content_type))
            parts.append(ir.MultipartPart(**fields, content_type=literal))
        return tuple(parts)

    def structure(self, data: Any, path: Path, scope: Scope) -> ir.ValueSource:
        """Objects and arrays member by member; strings compiled as templates."""
        if isinstance(data, dict):
            members = tuple(
                (str(key), self.structure(value, path + (key,), scope))
                for key, value in sorted(data.items())
            )
            return ir.ObjectValue(members)
        if isinstance(data, list):
            items = tuple(
                self.structure(value, path + (index,), scope) for index, value in enumerate(data)
            )
            return ir.ArrayValue(items)
        if isinstance(data, str):
            return self.values.compile(data, path, scope, skip_on_error=True)
        return ir.LiteralValue(data)

    def json_value(self, template: str, path: Path, scope: Scope) -> ir.ValueSource:
        """A JSON text template compiled to a structure.

        Each tag is replaced by a unique marker, the text parsed as JSON, and every marker
        found in a string turned back into a template part. Text that is not JSON once its
        tags are replaced is sent as a plain template.
        """
        marker = f"__naftiko_{secrets.token_hex(8)}__"
        pieces: list[str] = []
        try:
            for is_variable, text in tokens(template):
                pieces.append(f"{marker}{{{{{text}}}}}{marker}" if is_variable else text)
        except TemplateSyntaxError:
            return self.values.compile(template, path, scope, skip_on_error=True)
        try:
            data = json.loads("".join(pieces))
        except ValueError:
            return self.values.compile(template, path, scope, skip_on_error=True)
        return self.structure(_unmark(data, marker), path, scope)


def _unmark(data: Any, marker: str) -> Any:
    """Remove the markers, leaving the original ``{{tag}}`` text for template compilation."""
    if isinstance(data, dict):
        return {_unmark(key, marker): _unmark(value, marker) for key, value in data.items()}
    if isinstance(data, list):
        return [_unmark(value, marker) for value in data]
    if isinstance(data, str):
        return data.replace(marker, "")
    return data
