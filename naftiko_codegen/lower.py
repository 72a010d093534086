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
        package = self.package_name or names.package_name(
            label or next(iter(namespaces), "capability")
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
        counts = {
            kind: sum(e.get("type") == kind for e in exposes) for kind in ("rest", "mcp", "skill")
        }
        skill_specs: list[tuple[dict[str, Any], Path, str]] = []
        for index, adapter in enumerate(exposes):
            path: Path = ("capability", "exposes", index)
            kind = adapter.get("type")
            several = counts.get(str(kind), 0) > 1
            suffix = "_" + names.snake_case(adapter.get("namespace", ""))
            module_suffix = suffix if several else ""
            if kind == "rest":
                rest.append(self.lower_rest(adapter, path, "rest" + module_suffix))
            elif kind == "skill":
                skill_specs.append((adapter, path, "skills" + module_suffix))
            elif kind == "control" and control is None:
                control = self.lower_control(adapter, path)
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
            skills=tuple(self.lower_skills(*args, rest, mcp) for args in skill_specs),
            imports=tuple(sorted(self.imported_files.items())),
        )

    def lower_skills(
        self,
        spec: dict[str, Any],
        path: Path,
        key: str,
        rest: list[ir.RestAdapter],
        mcp: list[ir.McpAdapter],
    ) -> ir.SkillAdapter:
        """A skills catalog; a tool ``from`` a sibling adapter names its route or tool."""
        sources: dict[tuple[str, str], dict[str, Any]] = {}
        for rest_adapter in rest:
            for op in rest_adapter.operations:
                sources[(rest_adapter.namespace, op.name)] = {
                    "adapter": "rest",
                    "method": op.method,
                    "path": op.path,
                }
        for mcp_adapter in mcp:
            for tool in mcp_adapter.tools:
                sources[(mcp_adapter.namespace, tool.name)] = {"adapter": "mcp", "tool": tool.name}
        catalog = []
        for s_index, skill in enumerate(spec.get("skills", [])):
            entry = {k: v for k, v in skill.items() if k not in ("tools", "location")}
            tools = []
            for t_index, tool in enumerate(skill.get("tools", [])):
                item = {"name": tool["name"], "description": tool.get("description", "")}
                if "from" in tool:
                    origin = (tool["from"]["sourceNamespace"], tool["from"]["action"])
                    if origin not in sources:
                        self.report(
                            path + ("skills", s_index, "tools", t_index, "from"),
                            "NG200",
                            f"skill tool {tool['name']!r} comes from {origin[0]}.{origin[1]}, "
                            "which no generated operation or tool provides",
                            severity=Severity.WARNING,
                        )
                    item["from"] = {"namespace": origin[0], "action": origin[1]}
                    item.update(sources.get(origin, {}))
                else:
                    item["instruction"] = tool.get("instruction", "")
                tools.append(item)
            entry["tools"] = tools
            catalog.append(entry)
        return ir.SkillAdapter(
            namespace=spec["namespace"],
            key=key,
            module=key,
            port=int(spec["port"]),
            description=str(spec.get("description") or ""),
            catalog=tuple(catalog),
            authentication=self.exposed_auth(
                spec.get("authentication"), path + ("authentication",)
            ),
        )

    def lower_control(self, spec: dict[str, Any], path: Path) -> ir.ControlAdapter:
        """The control adapter: health (default on); metrics and ``/traces`` unless
        observability is off. OTLP export is not generated (a warning says so)."""
        management = spec.get("management") or {}
        observability = spec.get("observability") or {}
        enabled = observability.get("enabled", True)
        local = (observability.get("metrics") or {}).get("local") or {}
        metrics = enabled and local.get("enabled", True)
        traces = observability.get("traces") or {}
        traces_local = traces.get("local") or {}
        buffer = int(traces_local.get("buffer-size", 100))
        if enabled and "otlp" in (observability.get("exporters") or {}):
            self.report(
                path + ("observability", "exporters", "otlp"),
                "NG211",
                "OTLP export is not generated; traces stay on the control port (`/traces`)",
                severity=Severity.WARNING,
                hint="scrape `/metrics` and read `/traces`, or put an OpenTelemetry "
                "collector's Prometheus receiver in front of the control port",
            )
        return ir.ControlAdapter(
            key="control",
            module="control",
            port=int(spec["port"]),
            health=bool(management.get("health", True)),
            metrics=bool(metrics),
            info=bool(management.get("info", False)),
            authentication=self.authentication(
                spec.get("authentication"),
                path + ("authentication",),
                ("bearer", "apikey", "basic", "digest"),
                exposed=True,
            ),
            traces=buffer if enabled and traces_local.get("enabled", True) else 0,
            sampling=float(traces.get("sampling", 1.0)),
            propagation=traces.get("propagation", "w3c"),
        )


def lower(
    document: Document, package_name: str | None = None
) -> tuple[ir.Capability, list[Diagnostic]]:
    """Lower a schema-valid document; returns the IR and the diagnostics found."""
    lowerer = Lowerer(document, package_name)
    capability = lowerer.lower()
    return capability, lowerer.diagnostics
