"""Lower phase: a schema-valid document becomes the IR, every reference resolved.

Resolution problems are reported here, located in the spec. A problem confined to
one exposed operation (unknown or ambiguous ``call``, a placeholder with no source,
an unsupported feature) is a warning that skips that operation; the rest of the
capability is still generated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from . import ir, names
from .diagnostics import Diagnostic, Path, Severity
from .loader import Document
from .lowering.adapters import Adapters
from .lowering.aggregates import Aggregates
from .lowering.arguments import Arguments
from .lowering.auth import Authentication
from .lowering.beta5_fields import with_adapter_limits
from .lowering.binds import Binds
from .lowering.bodies import Bodies
from .lowering.calls import Calls
from .lowering.consumes import Consumes
from .lowering.context import Diagnostics
from .lowering.imports import Imports
from .lowering.mcp import Mcp
from .lowering.outputs import Outputs
from .lowering.rest import Rest
from .lowering.scripts import Scripts
from .lowering.steps import Steps
from .lowering.toolkit import Toolkit
from .lowering.values import Values
from .openapi.document import Contract
from .openapi.enrich import Enricher


def lower(
    document: Document, package_name: str | None = None, contracts: Sequence[Contract] = ()
) -> tuple[ir.Capability, list[Diagnostic]]:
    """Lower a schema-valid document; returns the IR and the diagnostics found.

    The collaborators run in the order the document needs them: bound variables, consumed
    APIs (imports followed, then typed from the OpenAPI ``contracts``), then each adapter;
    they share one diagnostics sink.
    """
    data = document.data
    capability = data.get("capability", {})
    info = data.get("info", {})
    label = str(info.get("label") or "")
    namespaces = [c.get("namespace", "") for c in capability.get("consumes", [])]
    package = package_name or names.package_name(label or next(iter(namespaces), "capability"))
    env_prefix = names.constant_name(package)
    diagnostics = Diagnostics(document)
    binds = Binds(diagnostics, data)
    binds.collect()
    values = Values(diagnostics, binds)
    authentication = Authentication(diagnostics, values)
    aggregates = Aggregates(diagnostics, data)
    imports = Imports(diagnostics, document)
    consumes = Consumes(diagnostics, binds, values, authentication, imports, env_prefix)
    for index, spec in enumerate(capability.get("consumes", [])):
        consumes.lower(spec, ("capability", "consumes", index))
    consumes.apis = with_adapter_limits(consumes.apis, capability.get("exposes", []))
    if contracts:
        enricher = Enricher(contracts, document)
        consumes.apis = enricher.enrich(consumes.apis)
        diagnostics.extend(enricher.diagnostics)
    calls = Calls(diagnostics, consumes)
    arguments = Arguments(diagnostics, values, aggregates, consumes, Bodies(diagnostics, values))
    toolkit = Toolkit(  # positional like the other collaborators: each field has its own type
        diagnostics,
        values,
        consumes,
        calls,
        arguments,
        Outputs(diagnostics, values),
        Steps(diagnostics, values, calls, arguments, Scripts(diagnostics, data)),
        aggregates,
        authentication,
    )
    adapters = _lower_adapters(capability.get("exposes", []), toolkit)
    binds.report_unused(imports_failed=bool(consumes.failed or consumes.unreachable))
    result = ir.Capability(
        package=package,
        distribution=names.distribution_name(package),
        env_prefix=env_prefix,
        label=label or package,
        description=str(info.get("description") or ""),
        spec_name=document.file.rsplit("/", 1)[-1],
        apis=tuple(consumes.apis.values()),
        rest_adapters=adapters.rest,
        mcp_adapters=adapters.mcp,
        variables=binds.lowered(),
        control=adapters.control,
        skills=adapters.skills,
        imports=tuple(sorted({**document.imported, **imports.imported_files}.items())),
    )
    return result, diagnostics.found


@dataclasses.dataclass(frozen=True)
class _Lowered:
    rest: tuple[ir.RestAdapter, ...]
    mcp: tuple[ir.McpAdapter, ...]
    control: ir.ControlAdapter | None
    skills: tuple[ir.SkillAdapter, ...]


def _lower_adapters(exposes: list[Any], toolkit: Toolkit) -> _Lowered:
    """Every exposed adapter, in order; a skill catalog after the REST and MCP adapters whose
    operations and tools its entries name."""
    diagnostics = toolkit.diagnostics
    others = Adapters(diagnostics, toolkit.authentication)
    rest, mcp = Rest(toolkit), Mcp(toolkit)
    control: ir.ControlAdapter | None = None
    rest_adapters: list[ir.RestAdapter] = []
    mcp_adapters: list[ir.McpAdapter] = []
    counts = {
        kind: sum(e.get("type") == kind for e in exposes) for kind in ("rest", "mcp", "skill")
    }
    skill_specs: list[tuple[dict[str, Any], Path, str]] = []
    for index, adapter in enumerate(exposes):
        path: Path = ("capability", "exposes", index)
        kind = adapter.get("type")
        several = counts.get(str(kind), 0) > 1
        module_suffix = "_" + names.snake_case(adapter.get("namespace", "")) if several else ""
        if kind == "rest":
            rest_adapters.append(rest.lower(adapter, path, "rest" + module_suffix))
        elif kind == "skill":
            skill_specs.append((adapter, path, "skills" + module_suffix))
        elif kind == "control" and control is None:
            control = others.control(adapter, path)
        elif kind == "mcp":
            mcp_adapters.append(mcp.lower(adapter, path, "mcp" + module_suffix))
        else:
            diagnostics.report(
                path + ("type",),
                "NG211",
                f"`{kind}` adapters are not generated yet; this adapter is skipped",
                severity=Severity.WARNING,
            )
    skills = tuple(others.skills(*args, rest_adapters, mcp_adapters) for args in skill_specs)
    return _Lowered(tuple(rest_adapters), tuple(mcp_adapters), control, skills)
