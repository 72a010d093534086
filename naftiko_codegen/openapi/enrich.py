"""Consumed operations typed from the upstream's OpenAPI documents (``--openapi``).

Each consumed operation matched to an OpenAPI operation (:mod:`.matching`) gains:

- for each of its parameters, the JSON Schema of the OpenAPI parameter of the same
  location and name (``.``, ``-``, ``_`` and case ignored; path placeholders also by
  position), its description where the spec gives none, and ``required`` where the
  OpenAPI document says so;
- the query and header parameters the OpenAPI operation declares and the spec does not
  (except ``Accept``, ``Content-Type``, ``Authorization`` and the API key the consumed
  API's ``authentication`` sets), optional unless the document says otherwise;
- the JSON Schema of its JSON request body and of its success answer
  (:class:`ir.OperationContract`).

Operations without a match keep what the capability says; one warning lists them all.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .. import ir, names
from ..diagnostics import Diagnostic, Severity
from ..loader import Document
from .document import Contract, ContractOperation, ContractParam
from .matching import Matcher
from .schemas import SchemaConverter

IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
"""Header parameters OpenAPI itself says to ignore (3.x, "Parameter Object")."""
_PATH_NAME = re.compile(r"\{([^{}]+)\}")


class Enricher:
    """Types the consumed operations of a capability from OpenAPI documents."""

    def __init__(self, contracts: Sequence[Contract], document: Document) -> None:
        self.contracts = list(contracts)
        self.document = document
        self.matcher = Matcher(self.contracts)
        self.diagnostics: list[Diagnostic] = []
        self._converters: dict[tuple[int, str], SchemaConverter] = {}

    def enrich(self, apis: dict[str, ir.ConsumedApi]) -> dict[str, ir.ConsumedApi]:
        """``apis`` with every matched operation typed; reports what was not matched."""
        self.check_namespaces(apis)
        unmatched: list[str] = []
        enriched: dict[str, ir.ConsumedApi] = {}
        for namespace, api in apis.items():
            operations = []
            for operation in api.operations:
                found = self.matcher.match(api, operation)
                if found is None:
                    unmatched.append(
                        f"{namespace}.{operation.name} ({operation.method} {operation.path})"
                    )
                    operations.append(operation)
                else:
                    operations.append(self.operation(api, operation, *found))
            enriched[namespace] = dataclasses.replace(api, operations=tuple(operations))
        if unmatched:
            self.report_unmatched(unmatched)
        for contract in self.contracts:
            self.diagnostics.extend(contract.resolver.diagnostics)
        return enriched

    def check_namespaces(self, apis: dict[str, ir.ConsumedApi]) -> None:
        """An OpenAPI file given for a namespace the capability does not consume is an error."""
        for contract in self.contracts:
            if contract.namespace and contract.namespace not in apis:
                self.diagnostics.append(
                    self.document.diagnostic(
                        ("capability", "consumes"),
                        "NG214",
                        f"`--openapi {contract.namespace}=...` names no consumed API",
                        expected=", ".join(sorted(apis)) or "a consumed namespace",
                        found=contract.namespace,
                    )
                )

    def report_unmatched(self, unmatched: list[str]) -> None:
        """One warning naming every consumed operation no OpenAPI operation matches."""
        listed = "; ".join(unmatched)
        files = ", ".join(contract.name for contract in self.contracts)
        self.diagnostics.append(
            self.document.diagnostic(
                ("capability", "consumes"),
                "NG215",
                f"{len(unmatched)} consumed operation"
                + (" matches" if len(unmatched) == 1 else "s match")
                + f" no operation of {files}: {listed}",
                severity=Severity.WARNING,
                hint="they keep the types the capability gives; an operation matches one of "
                "the same method whose path is the same after the base URI and servers",
            )
        )

    def converter(self, contract: Contract, mode: str) -> SchemaConverter:
        """The converter of one document for inputs or outputs (its definitions are shared
        by every operation)."""
        key = (id(contract), mode)
        if key not in self._converters:
            self._converters[key] = SchemaConverter(
                contract.resolver, contract.dialect, "input" if mode == "input" else "output"
            )
        return self._converters[key]

    def operation(
        self,
        api: ir.ConsumedApi,
        operation: ir.ConsumedOperation,
        contract: Contract,
        found: ContractOperation,
    ) -> ir.ConsumedOperation:
        """``operation`` typed from the OpenAPI operation ``found``."""
        inputs = self.converter(contract, "input")
        params = [p for p in found.parameters if p.location in ("path", "query", "header")]
        placeholders = [
            p
            for name in _PATH_NAME.findall(found.path)
            for p in params
            if p.location == "path" and p.name == name
        ]
        taken = {param.ident for param in operation.params}
        matched: set[int] = set()
        typed: list[ir.ConsumedParam] = []
        for param in operation.params:
            other = _counterpart(param, operation, params, placeholders)
            if other is None or param.location == "body":
                typed.append(param)
                continue
            matched.add(id(other))
            typed.append(self.typed_param(param, other, inputs))
        known = {names.normalise_reference(p.name) for p in operation.params}
        for other in params:
            if id(other) in matched or not self.adds(api, other, known):
                continue
            schema = inputs.document(other.schema) if other.schema is not None else None
            ident = names.unique(names.identifier(other.name), taken)
            typed.append(
                ir.ConsumedParam(
                    name=other.name,
                    ident=ident,
                    location=other.location,  # type: ignore[arg-type]
                    type=ir.schema_type(schema) or "string",
                    required=other.required,
                    description=other.description,
                    required_declared=other.required,
                    schema=schema,
                )
            )
            known.add(names.normalise_reference(other.name))
        return dataclasses.replace(
            operation,
            params=tuple(typed),
            contract=self.contract_of(contract, found),
            description=operation.description or found.summary or found.description,
        )

    def typed_param(
        self, param: ir.ConsumedParam, other: ContractParam, inputs: SchemaConverter
    ) -> ir.ConsumedParam:
        """A spec parameter with the schema, description and ``required`` of its
        OpenAPI counterpart."""
        schema = inputs.document(other.schema) if other.schema is not None else None
        return dataclasses.replace(
            param,
            schema=schema,
            description=param.description or other.description,
            required_declared=param.required_declared or other.required,
        )

    def adds(self, api: ir.ConsumedApi, param: ContractParam, known: set[str]) -> bool:
        """True for an OpenAPI query or header parameter the spec lacks and a caller may set."""
        if (
            param.location not in ("query", "header")
            or names.normalise_reference(param.name) in known
        ):
            return False
        lowered = param.name.lower()
        if param.location == "header" and lowered in IGNORED_HEADERS:
            return False
        auth = api.authentication
        return not (auth is not None and auth.type == "apikey" and auth.key.lower() == lowered)

    def contract_of(self, contract: Contract, found: ContractOperation) -> ir.OperationContract:
        """The request and answer schemas of ``found``."""
        request = response = None
        body = found.body
        if body is not None and body.schema is not None:
            request = self.converter(contract, "input").document(body.schema)
        if found.response is not None and found.response.schema is not None:
            response = self.converter(contract, "output").document(found.response.schema)
        return ir.OperationContract(
            source=f"{contract.name}: {found.method} {found.path}",
            request=request,
            request_required=body is not None and body.required,
            request_description=body.description if body is not None else "",
            response=response,
            errors=found.errors,
        )


def _counterpart(
    param: ir.ConsumedParam,
    operation: ir.ConsumedOperation,
    params: list[ContractParam],
    placeholders: list[ContractParam],
) -> ContractParam | None:
    """The OpenAPI parameter a spec parameter is: same location and normalised name; a path
    placeholder otherwise by its position in the path."""
    key = names.normalise_reference(param.name)
    for other in params:
        if other.location == param.location and names.normalise_reference(other.name) == key:
            return other
    if param.location != "path":
        return None
    position = [p.name for p in operation.path_params].index(param.name)
    return placeholders[position] if position < len(placeholders) else None
