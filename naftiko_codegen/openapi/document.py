"""The operations of an OpenAPI document, read the same way from OpenAPI 3.0, 3.1 and
Swagger 2.0.

Each operation keeps what the generated code can use: its method and path template, the
base paths its servers (or ``basePath``) put in front, its parameters (path-level ones
merged, the operation's own winning), its JSON request body and the JSON schema of its
success answer. Schemas stay as written (``$ref`` included); :mod:`.schemas` converts them.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path as FsPath
from typing import Any, Literal

from ..diagnostics import CompilationFailed, Severity
from .refs import RefKey, Resolver
from .source import SourceFile, read_source

Dialect = Literal["2.0", "3.0", "3.1"]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SERVER_VARIABLE = re.compile(r"\{([^{}]*)\}")
_DIALECTS: tuple[tuple[str, str, Dialect], ...] = (
    ("openapi", r"3\.0", "3.0"),
    ("openapi", r"3\.[1-9]", "3.1"),
    ("swagger", r"2\.0\Z", "2.0"),
)
"""The key naming the version, the versions it may name (a prefix), the dialect they are."""


@dataclasses.dataclass(frozen=True)
class Schema:
    """A schema as the document writes it, and where (``$ref`` values resolve from there)."""

    node: Any
    where: RefKey


@dataclasses.dataclass(frozen=True)
class ContractParam:
    """A parameter of an OpenAPI operation (path, query, header or cookie)."""

    name: str
    location: str
    required: bool
    description: str
    schema: Schema | None


@dataclasses.dataclass(frozen=True)
class ContractBody:
    """A JSON request body or success answer."""

    schema: Schema | None
    required: bool
    description: str


@dataclasses.dataclass(frozen=True)
class ContractOperation:
    """One operation of the document."""

    method: str
    """Upper case (``GET``)."""
    path: str
    """The path template as written (``/pets/{petId}``)."""
    bases: tuple[str, ...]
    """The path parts of its servers' URLs (Swagger 2.0: ``basePath``), most likely first."""
    where: RefKey
    parameters: tuple[ContractParam, ...]
    body: ContractBody | None
    response: ContractBody | None
    summary: str
    description: str
    errors: tuple[tuple[str, str], ...] = ()
    """The error answers it declares: (status code or ``4XX``/``5XX``, description)."""


@dataclasses.dataclass(frozen=True)
class Contract:
    """An OpenAPI document read for the consumed API ``namespace`` (``""``: every API)."""

    namespace: str
    operations: tuple[ContractOperation, ...]
    dialect: Dialect
    resolver: Resolver

    @property
    def name(self) -> str:
        """The file as diagnostics name it."""
        return self.resolver.main.name


def read_contract(path: FsPath, name: str, namespace: str = "") -> Contract:
    """Read the OpenAPI document at ``path``; :class:`CompilationFailed` when the file cannot
    be read or is not an OpenAPI 3.0/3.1 or Swagger 2.0 document."""
    source = read_source(path, name)
    data = source.data
    dialect = _dialect(data)
    if dialect is None or not isinstance(data.get("paths", {}), dict):
        found = {k: data.get(k) for k in ("openapi", "swagger")} if isinstance(data, dict) else {}
        raise CompilationFailed(
            [
                source.diagnostic(
                    (),
                    "NG214",
                    "not an OpenAPI document naftiko-gen reads",
                    severity=Severity.ERROR,
                    found=", ".join(f"{k}: {v!r}" for k, v in found.items() if v) or None,
                    expected="`openapi: 3.0.x` or `3.1.x`, or `swagger: '2.0'`, and `paths`",
                )
            ]
        )
    resolver = Resolver(source)
    reader = _Reader(source, resolver, dialect)
    return Contract(namespace, tuple(reader.operations()), dialect, resolver)


def _dialect(data: Any) -> Dialect | None:
    """The dialect of the first of ``_DIALECTS`` whose key's value ``data`` matches."""
    if isinstance(data, dict):
        for key, version, dialect in _DIALECTS:
            if re.match(version, str(data.get(key) or "")):
                return dialect
    return None


class _Reader:
    """Walks ``paths`` and normalises each operation."""

    def __init__(self, source: SourceFile, resolver: Resolver, dialect: Dialect) -> None:
        self.data: Mapping[str, Any] = source.data
        self.source = source
        self.resolver = resolver
        self.dialect = dialect

    def operations(self) -> Iterator[ContractOperation]:
        paths = self.data.get("paths") or {}
        for template, item in paths.items():
            where = RefKey(self.source.name, ("paths", template))
            item, where = self.follow(item, where)
            if not isinstance(item, dict):
                continue
            shared = self.parameters(item.get("parameters"), where + "parameters")
            for method in METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                o_where = where + method
                own = self.parameters(operation.get("parameters"), o_where + "parameters")
                merged = {(p.name, p.location): p for p in (*shared, *own)}
                body = self.request_body(operation, o_where, own)
                yield ContractOperation(
                    method=method.upper(),
                    path=str(template),
                    bases=self.bases(operation, item),
                    where=o_where,
                    parameters=tuple(p for p in merged.values() if p.location != "body"),
                    body=body,
                    response=self.response(operation.get("responses"), o_where + "responses"),
                    summary=_text(operation.get("summary")),
                    description=_text(operation.get("description")),
                    errors=self.errors(operation.get("responses"), o_where + "responses"),
                )

    def follow(self, value: Any, where: RefKey) -> tuple[Any, RefKey]:
        """``value`` with its ``$ref`` followed (repeatedly), and where the result is written."""
        for _ in range(32):
            if not (isinstance(value, dict) and "$ref" in value):
                return value, where
            resolved = self.resolver.resolve(value["$ref"], where)
            if resolved is None:
                return None, where
            value, where = resolved.value, resolved.key
        return None, where

    def parameters(self, values: Any, where: RefKey) -> list[ContractParam]:
        found: list[ContractParam] = []
        for index, value in enumerate(values if isinstance(values, list) else []):
            param, p_where = self.follow(value, where + index)
            if not isinstance(param, dict) or not isinstance(param.get("name"), str):
                continue
            location = str(param.get("in") or "")
            schema: Schema | None
            if location == "body" or self.dialect != "2.0":
                node, s_where = param.get("schema"), p_where + "schema"
                content = param.get("content")
                if node is None and isinstance(content, dict) and content:
                    media = next(iter(content))
                    node = (content[media] or {}).get("schema")
                    s_where = p_where + "content" + media + "schema"
                schema = Schema(node, s_where) if node is not None else None
            else:  # Swagger 2.0: the parameter itself carries type, format, items, enum
                schema = Schema(param, p_where)
            found.append(
                ContractParam(
                    name=param["name"],
                    location=location,
                    required=param.get("required") is True or location == "path",
                    description=_text(param.get("description")),
                    schema=schema,
                )
            )
        return found

    def request_body(
        self, operation: Mapping[str, Any], where: RefKey, own: list[ContractParam]
    ) -> ContractBody | None:
        if self.dialect == "2.0":
            body = next((p for p in own if p.location == "body"), None)
            if body is None or not _accepts_json(
                operation.get("consumes", self.data.get("consumes"))
            ):
                return None
            return ContractBody(body.schema, body.required, body.description)
        value, b_where = self.follow(operation.get("requestBody"), where + "requestBody")
        if not isinstance(value, dict):
            return None
        schema = self.json_schema(value.get("content"), b_where + "content")
        if schema is None:
            return None
        return ContractBody(schema, value.get("required") is True, _text(value.get("description")))

    def response(self, responses: Any, where: RefKey) -> ContractBody | None:
        """The first 2xx answer (``200`` before ``201``..., then ``2XX``) with a JSON schema."""
        if not isinstance(responses, dict):
            return None
        codes = sorted(str(code) for code in responses if re.fullmatch(r"2(\d\d|XX)", str(code)))
        for code in codes:
            key = code if code in responses else int(code)
            value, r_where = self.follow(responses[key], where + key)
            if not isinstance(value, dict):
                continue
            if self.dialect == "2.0":
                if "schema" not in value:
                    continue
                schema: Schema | None = Schema(value["schema"], r_where + "schema")
            else:
                schema = self.json_schema(value.get("content"), r_where + "content")
            if schema is not None:
                return ContractBody(schema, True, _text(value.get("description")))
        return None

    def errors(self, responses: Any, where: RefKey) -> tuple[tuple[str, str], ...]:
        """The declared 4xx and 5xx answers, with their descriptions, by status code."""
        if not isinstance(responses, dict):
            return ()
        found = []
        for code in sorted(str(code) for code in responses):
            if re.fullmatch(r"[45](\d\d|XX)", code):
                key = code if code in responses else int(code)
                value, _ = self.follow(responses[key], where + key)
                described = value.get("description") if isinstance(value, dict) else None
                found.append((code, _text(described)))
        return tuple(found)

    def json_schema(self, content: Any, where: RefKey) -> Schema | None:
        """The schema of the JSON media type of a ``content`` map (``application/json``,
        else any ``+json`` or ``*/*``)."""
        if not isinstance(content, dict):
            return None
        ranked = sorted(
            (media for media in content if _json_rank(str(media)) is not None),
            key=lambda media: _json_rank(str(media)) or 0,
        )
        for media in ranked:
            entry = content[media]
            if isinstance(entry, dict) and "schema" in entry:
                return Schema(entry["schema"], where + media + "schema")
        return None

    def bases(self, operation: Mapping[str, Any], item: Mapping[str, Any]) -> tuple[str, ...]:
        if self.dialect == "2.0":
            return (str(self.data.get("basePath") or ""),)
        servers = operation.get("servers") or item.get("servers") or self.data.get("servers")
        bases: list[str] = []
        for server in servers if isinstance(servers, list) else []:
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                base = _server_path(server["url"], server.get("variables"))
                if base not in bases:
                    bases.append(base)
        return tuple(bases) or ("",)


def _server_path(url: str, variables: Any) -> str:
    """The path of a server URL, its variables replaced by their defaults."""

    def default(match: re.Match[str]) -> str:
        variable = variables.get(match.group(1)) if isinstance(variables, dict) else None
        value = variable.get("default") if isinstance(variable, dict) else None
        return str(value) if value is not None else match.group(0)

    filled = _SERVER_VARIABLE.sub(default, url)
    if "://" in filled:
        return urllib.parse.urlsplit(filled).path
    return filled.split("?", 1)[0]


def _json_rank(media: str) -> int | None:
    base = media.split(";", 1)[0].strip().lower()
    if base == "application/json":
        return 0
    if base.endswith("+json") or base.endswith("/json"):
        return 1
    if base in ("*/*", "application/*"):
        return 2
    return None


def _accepts_json(media_types: Any) -> bool:
    if not isinstance(media_types, list) or not media_types:
        return True
    return any(_json_rank(str(media)) is not None for media in media_types)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
