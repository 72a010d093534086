"""Skills catalogs: each skill's Agent Skills frontmatter and its tools, sources resolved."""

from __future__ import annotations

import dataclasses

from .values import Json


@dataclasses.dataclass(frozen=True)
class SkillToolSource:
    """The operation or tool of a sibling adapter a skill tool comes from (``from``), and how
    the generated package serves it: a REST route, an MCP tool, or nothing generated."""

    namespace: str
    action: str
    route: tuple[str, str] | None = None
    """``(method, path)`` of the REST route."""
    mcp_tool: str | None = None
    """The name of the MCP tool."""

    def entry(self) -> dict[str, Json]:
        """The tool's ``from`` and serving keys in the catalog."""
        entry: dict[str, Json] = {"from": {"namespace": self.namespace, "action": self.action}}
        if self.route is not None:
            entry.update(adapter="rest", method=self.route[0], path=self.route[1])
        elif self.mcp_tool is not None:
            entry.update(adapter="mcp", tool=self.mcp_tool)
        return entry


@dataclasses.dataclass(frozen=True)
class SkillTool:
    """A tool a skill declares: from a sibling adapter, or a local instruction file."""

    name: str
    description: str
    source: SkillToolSource | None = None
    instruction: str = ""
    """The instruction file (relative to the skill's location), for a tool with no source."""

    def entry(self) -> dict[str, Json]:
        """The tool in the catalog."""
        entry: dict[str, Json] = {"name": self.name, "description": self.description}
        if self.source is not None:
            return {**entry, **self.source.entry()}
        return {**entry, "instruction": self.instruction}


@dataclasses.dataclass(frozen=True)
class SkillFrontmatter:
    """The Agent Skills Spec frontmatter a skill may give besides its name and description
    (each field under its spec name, ``-`` for ``_``; ``None``: not given)."""

    license: str | None = None
    compatibility: str | None = None
    metadata: tuple[tuple[str, str], ...] | None = None
    allowed_tools: str | None = None
    argument_hint: str | None = None
    user_invocable: bool | None = None
    disable_model_invocation: bool | None = None

    @staticmethod
    def keys() -> tuple[str, ...]:
        """The spec names of the fields, in order."""
        return tuple(field.name.replace("_", "-") for field in dataclasses.fields(SkillFrontmatter))

    def entry(self) -> dict[str, Json]:
        """The fields given, under their spec names."""
        entry: dict[str, Json] = {}
        for key in self.keys():
            value = getattr(self, key.replace("-", "_"))
            if value is not None:
                entry[key] = dict(value) if key == "metadata" else value
        return entry


@dataclasses.dataclass(frozen=True)
class Skill:
    """One skill of a catalog."""

    name: str
    description: str
    tools: tuple[SkillTool, ...] = ()
    frontmatter: SkillFrontmatter = SkillFrontmatter()

    def entry(self) -> dict[str, Json]:
        """The skill in the catalog: its name, description, frontmatter and tools."""
        return {
            "name": self.name,
            "description": self.description,
            **self.frontmatter.entry(),
            "tools": [tool.entry() for tool in self.tools],
        }
