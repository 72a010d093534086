"""Lower phase: a schema-valid document becomes the IR, every reference resolved.

Resolution problems are reported here, located in the spec. A problem confined to
one exposed operation (unknown or ambiguous ``call``, a placeholder with no source,
an unsupported feature) is a warning that skips that operation; the rest of the
capability is still generated.
"""

from __future__ import annotations

from typing import Any

from . import ir, names
from .diagnostics import Diagnostic, Path, Severity
from .loader import Document
from .lowering.consumes import ConsumesLowering
from .lowering.mcp import McpLowering
from .lowering.rest import RestLowering


class Lowerer(ConsumesLowering, RestLowering, McpLowering):
    """Builds :class:`ir.Capability` from a document; collects diagnostics as it goes."""

    def lower(self) -> ir.Capability:
        """Lower the whole document."""
        capability = self.data.get("capability", {})
        info = self.data.get("info", {})
        label = str(info.get("label") or "")
        namespaces = [c.get("namespace", "") for c in capability.get("consumes", [])]
        package = self.package_name or names.identifier(
            label or next(iter(namespaces), "capability"), reserved=False
        )
        self.env_prefix = names.constant_name(package)
        self.collect_binds()
        self.collect_aggregates()
        for index, consumes in enumerate(capability.get("consumes", [])):
            self.lower_api(consumes, ("capability", "consumes", index))
        control: ir.ControlAdapter | None = None
        rest: list[ir.RestAdapter] = []
        mcp: list[ir.McpAdapter] = []
        exposes = capability.get("exposes", [])
        counts = {kind: sum(e.get("type") == kind for e in exposes) for kind in ("rest", "mcp")}
        for index, adapter in enumerate(exposes):
            path: Path = ("capability", "exposes", index)
            kind = adapter.get("type")
            several = counts.get(str(kind), 0) > 1
            suffix = "_" + names.identifier(adapter.get("namespace", ""), reserved=False)
            module_suffix = suffix if several else ""
            if kind == "rest":
                rest.append(self.lower_rest(adapter, path, "rest" + module_suffix))
            elif kind == "control" and control is None:
                control = self.lower_control(adapter)
            elif kind == "mcp":
                mcp.append(self.lower_mcp(adapter, path, "mcp" + module_suffix))
            else:
                self.report(
                    path + ("type",),
                    "NG211",
                    f"`{kind}` adapters are not generated yet; this adapter is skipped",
                    severity=Severity.WARNING,
                )
        variables = tuple(
            ir.BoundVariable(v.name, v.source_key, v.location, v.name in self.referenced)
            for v in self.variables.values()
        )
        self.report_unused_variables()
        return ir.Capability(
            package=package,
            distribution=names.distribution_name(package),
            env_prefix=self.env_prefix,
            label=label or package,
            description=str(info.get("description") or ""),
            spec_name=self.doc.file.rsplit("/", 1)[-1],
            apis=tuple(self.apis.values()),
            rest_adapters=tuple(rest),
            mcp_adapters=tuple(mcp),
            variables=variables,
            control=control,
        )

    @staticmethod
    def lower_control(spec: dict[str, Any]) -> ir.ControlAdapter:
        """The control adapter: health (default on), metrics unless observability is off."""
        management = spec.get("management") or {}
        observability = spec.get("observability") or {}
        local = (observability.get("metrics") or {}).get("local") or {}
        metrics = observability.get("enabled", True) and local.get("enabled", True)
        return ir.ControlAdapter(
            key="control",
            module="control",
            port=int(spec["port"]),
            health=bool(management.get("health", True)),
            metrics=bool(metrics),
            info=bool(management.get("info", False)),
        )


def lower(
    document: Document, package_name: str | None = None
) -> tuple[ir.Capability, list[Diagnostic]]:
    """Lower a schema-valid document; returns the IR and the diagnostics found."""
    lowerer = Lowerer(document, package_name)
    capability = lowerer.lower()
    return capability, lowerer.diagnostics
