"""A skill in the generated catalog (naftiko_codegen/ir/skills.py): its frontmatter under the
Agent Skills Spec names, its tools with where the package serves them."""

from __future__ import annotations

from naftiko_codegen import ir


def test_a_skill_entry_gives_only_the_frontmatter_it_has_and_each_tool_source() -> None:
    skill = ir.Skill(
        "triage",
        "Sort incoming executions.",
        (
            ir.SkillTool("list", "List them.", ir.SkillToolSource("api", "list", ("GET", "/x"))),
            ir.SkillTool("get", "", ir.SkillToolSource("tools", "get", mcp_tool="get")),
            ir.SkillTool("gone", "", ir.SkillToolSource("api", "gone")),
            ir.SkillTool("howto", "Read me.", instruction="howto.md"),
        ),
        ir.SkillFrontmatter(license="MIT", metadata=(("author", "ops"),), user_invocable=False),
    )
    assert skill.entry() == {
        "name": "triage",
        "description": "Sort incoming executions.",
        "license": "MIT",
        "metadata": {"author": "ops"},
        "user-invocable": False,
        "tools": [
            {
                "name": "list",
                "description": "List them.",
                "from": {"namespace": "api", "action": "list"},
                "adapter": "rest",
                "method": "GET",
                "path": "/x",
            },
            {
                "name": "get",
                "description": "",
                "from": {"namespace": "tools", "action": "get"},
                "adapter": "mcp",
                "tool": "get",
            },
            {"name": "gone", "description": "", "from": {"namespace": "api", "action": "gone"}},
            {"name": "howto", "description": "Read me.", "instruction": "howto.md"},
        ],
    }


def test_the_frontmatter_keys_are_the_agent_skills_spec_names() -> None:
    assert ir.SkillFrontmatter.keys() == (
        "license",
        "compatibility",
        "metadata",
        "allowed-tools",
        "argument-hint",
        "user-invocable",
        "disable-model-invocation",
    )
