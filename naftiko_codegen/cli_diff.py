"""``naftiko-gen diff``: the public surfaces of two versions of a capability, compared."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_options import config_option, format_option, guarded, report_config
from .diagnostics import summary_line
from .exit_codes import ExitCode
from .plan import UsageProblem, load_project
from .project import ConfigError, ConfiguredSpec

if TYPE_CHECKING:
    from .changes import Change


@click.command(name="diff")
@click.argument("old", metavar="[OLD", required=False)
@click.argument("new", metavar="NEW]", required=False)
@click.option(
    "--base",
    metavar="REV",
    help="Instead of OLD and NEW: compare every capability the project configuration lists "
    "with its version at the git revision REV (added ones are not breaking, removed ones "
    "are).",
)
@format_option(
    "text: the breaking then the non-breaking changes, one per line; json: "
    '{"breaking": [...], "non_breaking": [...]}, each change with kind, name, message and '
    "location."
)
@config_option
@guarded
def diff_command(
    old: str | None, new: str | None, base: str | None, output_format: str, config: Path | None
) -> None:
    """Compare the public surface two versions of a capability generate: REST routes, MCP
    tools, resources and prompts (arguments, types, required flags, annotations, output
    schemas), adapters and environment settings. OLD and NEW are spec files or
    git:REV:PATH (PATH as `git show REV:PATH` reads it; imported files come from REV too).

    Exit 0 when nothing breaks, 1 when a change is breaking, 2 when a side is invalid or
    cannot be read, 3 on an internal error.
    """
    from .apidiff import compare
    from .diagnostics import CompilationFailed, Diagnostic
    from .repodiff import compare_repository
    from .revisions import RevisionError, read_side

    if (base is None) != (old is not None and new is not None) or (base and (old or new)):
        click.echo("naftiko-gen: error: diff takes OLD and NEW, or --base REV alone", err=True)
        sys.exit(ExitCode.INVALID)
    configured = _configured_specs(config)
    by_path = {os.path.realpath(c.spec): c for c in configured}

    def package_name(working: Path | None) -> str | None:
        found = by_path.get(os.path.realpath(working)) if working is not None else None
        return found.package_name if found is not None else None

    changes = []
    warnings: list[Diagnostic] = []
    problems: list[Diagnostic] = []
    try:
        if base is not None:
            project = load_project(config)
            if project is None:
                raise UsageProblem(
                    "--base compares the configured capabilities, but no [tool.naftiko-gen] "
                    "table was found"
                )
            everything = compare_repository(project, base)
            changes, warnings, problems = (
                everything.changes,
                everything.warnings,
                everything.errors,
            )
        else:
            assert old is not None and new is not None
            sides = []
            for argument in (old, new):
                try:
                    sides.append(read_side(argument, package_name))
                except CompilationFailed as failure:
                    problems.extend(failure.diagnostics)
            if len(sides) == 2:
                warnings = sides[0].warnings + sides[1].warnings
                changes = compare(sides[0].surface, sides[1].surface)
    except (RevisionError, UsageProblem) as error:
        click.echo(f"naftiko-gen: error: {error}", err=True)
        sys.exit(ExitCode.INVALID)
    for diagnostic in [*problems, *warnings]:
        click.echo(diagnostic.format_text(), err=True)
    if problems:
        click.echo(f"naftiko-gen: diff: {summary_line(problems)}", err=True)
        sys.exit(ExitCode.INVALID)
    _print_changes(changes, output_format)
    if any(change.breaking for change in changes):
        sys.exit(ExitCode.BREAKING)


def _print_changes(changes: Sequence[Change], output_format: str) -> None:
    """The breaking, then the non-breaking changes (stdout), and a count (stderr)."""
    breaking = [change for change in changes if change.breaking]
    others = [change for change in changes if not change.breaking]
    if output_format == "json":
        document = {
            "breaking": [change.to_json() for change in breaking],
            "non_breaking": [change.to_json() for change in others],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    for title, group in (("breaking", breaking), ("non-breaking", others)):
        if group:
            click.echo(f"{title} changes ({len(group)}):")
            for change in group:
                click.echo(f"  {change.location}: {change.kind}: {change.message}")
    click.echo(
        (
            (
                f"naftiko-gen: {len(breaking)} breaking, {len(others)} non-breaking "
                f"change{'s' * (len(others) != 1)}"
            )
            if changes
            else "naftiko-gen: no change in the public surface"
        ),
        err=True,
    )


def _configured_specs(config: Path | None) -> list[ConfiguredSpec]:
    """The configured capabilities (for their package names); a problem ends the command."""
    try:
        project = load_project(config)
        return project.specs() if project is not None else []
    except ConfigError as error:
        report_config(error.problems)
        sys.exit(ExitCode.INVALID)
    except UsageProblem as problem:
        click.echo(f"naftiko-gen: error: {problem}", err=True)
        sys.exit(ExitCode.INVALID)
