"""The ``naftiko-gen`` command line."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .batch import JobResult, Mode, Options, usable_cpus
from .batch import run as run_jobs
from .cli_diff import diff_command
from .cli_options import config_option, format_option, guarded, jobs_option, report_config
from .diagnostics import summary_line
from .exit_codes import ExitCode
from .plan import Plan, UsageProblem, load_project, plan
from .progress import Reporter
from .project import ConfigError, package_name_problem

if TYPE_CHECKING:
    pass


def _check_package_name(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> str | None:
    """``--package-name`` must be importable and must not hide a module the package uses."""
    if value is None:
        return None
    problem = package_name_problem(value)
    if problem is not None:
        raise click.BadParameter(problem)
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="naftiko-gen")
def main() -> None:
    """Compile capability documents (Naftiko 1.0.0-alpha2 and Ikanos 1.0.0-beta5) into
    standalone Python packages: a FastAPI server for REST adapters, an MCP server for MCP
    adapters, and an httpx client for every consumed API.

    Exit codes: 0 success, 1 drift found by `build --check` or a breaking change found by
    `diff`, 2 invalid spec, unusable output directory, configuration problem or bad usage, 3
    internal error.
    """


def _make_plan(config: Path | None, specs: Sequence[Path], **options: Any) -> Plan:
    """The jobs of a command; a configuration or usage problem ends it with exit 2."""
    try:
        return plan(load_project(config), specs, **options)
    except ConfigError as error:
        report_config(error.problems)
        click.echo(
            f"naftiko-gen: {len(error.problems)} configuration problem"
            f"{'s' * (len(error.problems) != 1)}; nothing was done",
            err=True,
        )
        sys.exit(ExitCode.INVALID)
    except UsageProblem as problem:
        click.echo(f"naftiko-gen: error: {problem}", err=True)
        sys.exit(ExitCode.INVALID)


def _exit_code(results: Sequence[JobResult], mode: Mode) -> ExitCode:
    """The batch's status: an internal error, else a failure, else drift found by
    ``--check``, else success."""
    statuses = {result.status for result in results}
    if "internal" in statuses:
        return ExitCode.INTERNAL
    if statuses & {"invalid", "failed"}:
        return ExitCode.INVALID
    if "drift" in statuses and mode == "check":
        return ExitCode.DRIFT
    return ExitCode.OK


@main.command()
@click.argument(
    "specs", metavar="[SPEC]...", nargs=-1, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the generated package (one SPEC; default: the output the "
    "configuration gives SPEC). naftiko-gen owns it through a manifest (.naftiko-gen.json): "
    "it rewrites its own files, removes the ones it no longer generates, never touches "
    "others, and replaces the tree atomically.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and print a unified diff when an output differs from a "
    "fresh build (changed, missing or extra files). Silent with exit 0 when up to date.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print the diff against the output; write nothing, exit 0.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty directory that has no naftiko-gen manifest, replacing files "
    "it did not write where generated files go.",
)
@click.option(
    "--package-name",
    metavar="NAME",
    callback=_check_package_name,
    help="Python package name (one SPEC; default: the configuration's package-name, else "
    "derived from info.label).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--changed",
    is_flag=True,
    help="SPEC... are changed files, as pre-commit passes them: build the configured "
    "capabilities they are, that read them, or whose output holds them; ignore the rest.",
)
@click.option("-q", "--quiet", is_flag=True, help="Report only problems (no progress bar).")
@click.option(
    "--openapi",
    "openapi",
    metavar="[NAMESPACE=]FILE",
    multiple=True,
    help="The upstream's OpenAPI document (3.0, 3.1 or Swagger 2.0; JSON or YAML) for the "
    "consumed API NAMESPACE, or for every consumed API: tools and routes get typed "
    "parameters, request bodies and answers, and arguments are checked before any upstream "
    "call. Repeatable; replaces the configuration's `openapi` for the SPECs given.",
)
@jobs_option
@config_option
@guarded
def build(
    specs: tuple[Path, ...],
    out: Path | None,
    check: bool,
    show_diff: bool,
    force: bool,
    package_name: str | None,
    strict: bool,
    changed: bool,
    quiet: bool,
    openapi: tuple[str, ...],
    jobs: int | None,
    config: Path | None,
) -> None:
    """Compile SPEC into a pip-installable package in OUT; without SPEC, every capability
    the project configuration lists ([tool.naftiko-gen] in pyproject.toml or
    naftiko-gen.toml), in parallel.

    Exit 0 on success (with --check: every output is up to date), 1 when --check finds
    changed, missing or extra files, 2 for an invalid spec (the others are still built), an
    unusable output, a configuration problem or bad usage, 3 on an internal error.
    """
    work = _make_plan(
        config,
        specs,
        out=out,
        package_name=package_name,
        strict=strict,
        changed=changed,
        openapi=openapi or None,
    )
    if not quiet:
        report_config(work.warnings)
    mode: Mode = "check" if check else "diff" if show_diff else "build"
    results = _run(work, Options(mode, force=force, single=work.single), quiet=quiet, jobs=jobs)
    code = _exit_code(results, mode)
    if code:
        sys.exit(code)


def _run(work: Plan, options: Options, *, quiet: bool, jobs: int | None) -> list[JobResult]:
    """Run a plan's jobs, reporting as they finish; a batch ends with its summary line."""
    reporter = Reporter(work.jobs, options.mode, quiet=quiet, single=work.single)
    if not work.jobs:
        return []
    results = run_jobs(work.jobs, options, workers=jobs or usable_cpus(), on_result=reporter)
    if not work.single:
        reporter.summary(results)
    return results


def run() -> NoReturn:
    """The ``naftiko-gen`` console script: :func:`main`, then a prompt exit.

    The process leaves with ``os._exit`` once its output is flushed, as mypy does: a build
    holds hundreds of thousands of objects (the IR, templates, black's trees) whose one by
    one release at interpreter shutdown is a tenth of a cold build (measured 30–50 ms of
    about 400 ms) and serves nobody. Every file is written and closed before this point;
    tests drive :func:`main` in-process and are unaffected.
    """
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = _exit_status(stop.code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # click.echo has flushed already
            stream.flush()
    os._exit(code)


def _exit_status(code: object) -> int:
    """The process status ``sys.exit(code)`` would give (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


@main.command(name="validate")
@click.argument(
    "specs", metavar="[SPEC]...", nargs=-1, type=click.Path(dir_okay=False, path_type=Path)
)
@format_option(
    "text: `file:line:col: severity[code]: message` lines on stderr; "
    "json: one JSON document with every diagnostic on stdout."
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@jobs_option
@config_option
@guarded
def validate_command(
    specs: tuple[Path, ...],
    output_format: str,
    strict: bool,
    jobs: int | None,
    config: Path | None,
) -> None:
    """Check SPECs (without SPEC: every capability the project configuration lists);
    report every problem at once.

    Exit 0 when every SPEC is valid (warnings allowed unless --strict), 2 otherwise, 3 on
    an internal error.
    """
    work = _make_plan(config, specs, strict=strict, validate=True)
    as_json = output_format == "json"
    if not as_json:
        report_config(work.warnings)
    options = Options("validate")
    reporter = Reporter(work.jobs, "validate", quiet=as_json, single=False)
    on_result = (lambda result: None) if as_json else reporter  # JSON: stdout only
    results = run_jobs(work.jobs, options, workers=jobs or usable_cpus(), on_result=on_result)
    if as_json:
        everything = [d.to_json() for result in results for d in result.diagnostics]
        valid = not any(result.failed for result in results)
        languages = [
            {"file": str(job.spec), "language": result.language}
            for job, result in zip(work.jobs, results, strict=True)
        ]
        document = {"valid": valid, "diagnostics": everything, "specs": languages}
        click.echo(json.dumps(document, indent=2))
    else:
        reporter.summary(results)
    code = _exit_code(results, "validate")
    if code:
        sys.exit(code)


@main.command(name="migrate")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(),
    help="Where to write the beta5 document: a file, or a directory (the spec keeps its name). "
    "Files the spec imports are migrated beside it, at the same relative paths, and listed. "
    "Without -o the document is written to stdout and the files it imports are only listed.",
)
@guarded
def migrate_command(spec: Path, out: str | None) -> None:
    """Write the alpha2 document SPEC as Ikanos 1.0.0-beta5, with the same meaning: comments,
    key order and quoting are kept where beta5 keeps the node, and its build generates the
    same modules. What the official beta5 language cannot express is kept as written and
    reported (warning NG217).

    Exit 0 on success, 2 for an invalid or already-beta5 SPEC or an output that would
    overwrite a source, 3 on an internal error.
    """
    from . import migrate_output
    from .diagnostics import CompilationFailed
    from .migrate import migrate
    from .pipeline import display_name

    try:
        migration = migrate(spec, display_name(spec))
    except CompilationFailed as failure:
        for diagnostic in failure.diagnostics:
            click.echo(diagnostic.format_text(), err=True)
        language = f" ({failure.language})" if failure.language else ""
        click.echo(f"naftiko-gen: {spec}: {summary_line(failure.diagnostics)}{language}", err=True)
        sys.exit(ExitCode.INVALID)
    for diagnostic in migration.diagnostics:
        click.echo(diagnostic.format_text(), err=True)
    try:
        lines = migrate_output.deliver(migration, spec, out)
    except migrate_output.OutputRefused as error:
        click.echo(f"naftiko-gen: error: {error}", err=True)
        sys.exit(ExitCode.INVALID)
    for line in lines:
        click.echo(f"naftiko-gen: {line}", err=True)
    click.echo(
        f"naftiko-gen: {spec}: migrated to Ikanos 1.0.0-beta5: "
        f"{summary_line(list(migration.diagnostics))}",
        err=True,
    )


main.add_command(diff_command)
