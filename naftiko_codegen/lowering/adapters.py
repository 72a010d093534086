"""Lowering of the control adapter (health, metrics, traces) and skill catalogs."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import ir
from ..diagnostics import Path
from .auth import Authentication
from .context import Diagnostics
from .served import served


@dataclasses.dataclass(eq=False)
class Adapters:
    """Builds :class:`ir.ControlAdapter` and :class:`ir.SkillAdapter` values."""

    diagnostics: Diagnostics
    authentication: Authentication

    def skills(
        self,
        spec: dict[str, Any],
        path: Path,
        key: str,
        rest: list[ir.RestAdapter],
        mcp: list[ir.McpAdapter],
    ) -> ir.SkillAdapter:
        """A skills catalog; a tool ``from`` a sibling adapter names its route or tool."""
        sources: dict[tuple[str, str], ir.SkillToolSource] = {}
        for rest_adapter in rest:
            for op in rest_adapter.operations:
                where = (rest_adapter.namespace, op.name)
                sources[where] = ir.SkillToolSource(*where, route=(op.method, op.path))
        for mcp_adapter in mcp:
            for tool in mcp_adapter.tools:
                where = (mcp_adapter.namespace, tool.name)
                sources[where] = ir.SkillToolSource(*where, mcp_tool=tool.name)
        catalog = []
        for s_index, skill in enumerate(spec.get("skills", [])):
            tools = []
            for t_index, tool in enumerate(skill.get("tools", [])):
                name, description = str(tool["name"]), str(tool.get("description", ""))
                if "from" not in tool:
                    instruction = str(tool.get("instruction", ""))
                    tools.append(ir.SkillTool(name, description, instruction=instruction))
                    continue
                origin = (str(tool["from"]["sourceNamespace"]), str(tool["from"]["action"]))
                if origin not in sources:
                    self.diagnostics.warn(
                        path + ("skills", s_index, "tools", t_index, "from"),
                        "NG200",
                        f"skill tool {name!r} comes from {origin[0]}.{origin[1]}, "
                        "which no generated operation or tool provides",
                    )
                source = sources.get(origin, ir.SkillToolSource(*origin))
                tools.append(ir.SkillTool(name, description, source))
            given = {
                key.replace("-", "_"): skill[key]
                for key in ir.SkillFrontmatter.keys()
                if key in skill
            }
            if "metadata" in given:
                given["metadata"] = tuple((str(k), str(v)) for k, v in given["metadata"].items())
            frontmatter = ir.SkillFrontmatter(**given)
            catalog.append(
                ir.Skill(str(skill["name"]), str(skill["description"]), tuple(tools), frontmatter)
            )
        return ir.SkillAdapter(
            **served(spec, path, key, self.authentication), catalog=tuple(catalog)
        )

    def control(self, spec: dict[str, Any], path: Path) -> ir.ControlAdapter:
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
            self.diagnostics.warn(
                path + ("observability", "exporters", "otlp"),
                "NG211",
                "OTLP export is not generated; traces stay on the control port (`/traces`)",
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
            authentication=self.authentication.lower(
                spec.get("authentication"),
                path + ("authentication",),
                ("bearer", "apikey", "basic", "digest"),
                exposed=True,
            ),
            traces=buffer if enabled and traces_local.get("enabled", True) else 0,
            sampling=float(traces.get("sampling", 1.0)),
            propagation=traces.get("propagation", "w3c"),
        )
