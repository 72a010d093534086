"""From a command line and the project configuration to the jobs of a build or validation.

The rules (README, "Command line"):

* ``build SPEC -o OUT`` builds SPEC into OUT, as it always did; when the configuration
  lists SPEC, its ``package-name`` and ``strict`` apply unless the command line says
  otherwise;
* ``build SPEC...`` without ``-o``: each SPEC must be listed, and goes to its configured
  output;
* ``build`` / ``validate`` without SPEC: every listed capability;
* ``build --changed FILE...``: the listed capabilities those files concern
  (:mod:`naftiko_codegen.changed`); files that concern none are ignored;
* ``--openapi`` values replace the configured ``openapi`` of the SPECs given.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from . import changed as changed_files
from .batch import Job
from .project import (
    ConfigProblem,
    ConfiguredSpec,
    Project,
    display_path,
    find_project,
    load,
)


class UsageProblem(Exception):
    """The command line cannot be carried out as given (exit 2); the message says why."""


@dataclasses.dataclass(frozen=True)
class Plan:
    """The jobs to run, the project they come from and its warnings."""

    jobs: list[Job]
    project: Project | None
    warnings: list[ConfigProblem]
    single: bool
    """One SPEC given with ``-o``: reported exactly as a one-off build always was."""


def load_project(config: Path | None) -> Project | None:
    """The configuration named by ``--config``, else the nearest one (or ``None``)."""
    if config is None:
        return find_project()
    if not config.is_file():
        raise UsageProblem(f"--config {config}: no such file")
    project = load(config)
    if project is None:
        raise UsageProblem(f"--config {config}: the file has no [tool.naftiko-gen] table")
    return project


def plan(
    project: Project | None,
    specs: Sequence[Path],
    *,
    out: Path | None = None,
    package_name: str | None = None,
    strict: bool = False,
    changed: bool = False,
    validate: bool = False,
    openapi: Sequence[str] | None = None,
) -> Plan:
    """The jobs the command line asks for (see the module docstring)."""
    if out is not None and (len(specs) != 1 or changed):
        raise UsageProblem("-o/--output takes exactly one SPEC (and no --changed)")
    if openapi is not None and (not specs or changed):
        raise UsageProblem(
            "--openapi applies to the SPECs given (and no --changed); the configuration's "
            "`openapi` key gives the others theirs"
        )
    if package_name is not None and len(specs) != 1:
        raise UsageProblem("--package-name takes exactly one SPEC")
    unique: dict[Path, Path] = {}
    for spec in specs:  # a file named twice is one job
        unique.setdefault(_real(spec), spec)
    specs = list(unique.values())
    configured = project.specs() if project is not None else []
    warnings = list(project.warnings) + project.expansion_warnings() if project else []
    if changed:
        if project is None:
            raise UsageProblem(_no_configuration("--changed maps files through"))
        chosen = changed_files.select(specs, project, configured)
        return Plan([_job(c, strict) for c in chosen], project, warnings, False)
    if not specs:
        if project is None:
            raise UsageProblem(_no_configuration("no SPEC given, and"))
        if not configured:
            raise UsageProblem(f"{display_path(project.file)} lists no capability file that exists")
        return Plan([_job(c, strict) for c in configured], project, warnings, False)
    by_path = {_real(c.spec): c for c in configured}
    listed = [by_path.get(_real(spec)) for spec in specs]
    if out is not None or validate:
        jobs = [
            Job(
                spec,
                output=out,
                package_name=package_name or (c.package_name if c else None),
                strict=strict or bool(c and c.strict),
                openapi=tuple(openapi) if openapi is not None else c.openapi if c else (),
            )
            for spec, c in zip(specs, listed, strict=True)
        ]
        return Plan(jobs, project, warnings, out is not None)
    missing = [str(spec) for spec, c in zip(specs, listed, strict=True) if c is None]
    if missing:
        where = (
            f"[tool.naftiko-gen] of {display_path(project.file)}"
            if project is not None
            else "any [tool.naftiko-gen] table (none was found)"
        )
        raise UsageProblem(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not listed in "
            f"{where}; give -o OUT, or add {'it' if len(missing) == 1 else 'them'} to a "
            "[[tool.naftiko-gen.build]] entry"
        )
    jobs = [
        dataclasses.replace(
            _job(c, strict),
            package_name=package_name or c.package_name,
            openapi=tuple(openapi) if openapi is not None else c.openapi,
        )
        for c in listed
        if c is not None
    ]
    return Plan(jobs, project, warnings, False)


def _job(configured: ConfiguredSpec, strict: bool) -> Job:
    return Job(
        configured.spec,
        output=configured.static_output,
        configured=configured,
        package_name=configured.package_name,
        strict=strict or configured.strict,
        openapi=configured.openapi,
    )


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _no_configuration(what: str) -> str:
    return (
        f"{what} no [tool.naftiko-gen] table was found in a pyproject.toml or "
        f"naftiko-gen.toml from {display_path(Path.cwd()) or '.'} upwards"
    )
