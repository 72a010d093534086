"""The ``naftiko-gen`` command line."""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .diagnostics import CompilationFailed, Diagnostic, summary_line
from .exit_codes import ExitCode
from .output import OutputError, compare_tree, write_tree
from .pipeline import analyse, compile_spec

F = TypeVar("F", bound=Callable[..., Any])


def _report(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format_text(), err=True)


def _guarded(command: F) -> F:
    """Turn unexpected exceptions into exit code 3 with a short message, never a traceback
    (set NAFTIKO_GEN_DEBUG=1 to see it)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # the contract: no traceback for users
            if os.environ.get("NAFTIKO_GEN_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"naftiko-gen: internal error: {type(error).__name__}: {error}\n"
                "This is a bug in naftiko-gen; please report it with the spec that triggered it "
                "(set NAFTIKO_GEN_DEBUG=1 for the traceback).",
                err=True,
            )
            sys.exit(ExitCode.INTERNAL)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="naftiko-gen")
def main() -> None:
    """Compile Naftiko capability documents (naftiko: 1.0.0-alpha2) into standalone Python
    packages: a FastAPI server for REST adapters, an MCP server for MCP adapters, and an httpx
    client for every consumed API.

    Exit codes: 0 success, 1 drift found by `build --check`, 2 invalid spec or bad usage,
    3 internal error.
    """


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the generated package. naftiko-gen owns it through a manifest "
    "(.naftiko-gen.json): it rewrites its own files, removes the ones it no longer generates, "
    "and never touches others.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and print a unified diff when OUT differs from a fresh build "
    "(changed, missing or extra files). Silent with exit 0 when up to date.",
)
@click.option("--diff", "show_diff", is_flag=True, help="Print the diff against OUT; write nothing, exit 0.")
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty directory that has no naftiko-gen manifest.",
)
@click.option(
    "--package-name",
    metavar="NAME",
    help="Python package name (default: derived from info.label).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@_guarded
def build(
    spec: Path,
    out: Path,
    check: bool,
    show_diff: bool,
    force: bool,
    package_name: str | None,
    strict: bool,
) -> None:
    """Compile SPEC into a pip-installable package in OUT."""
    if package_name is not None and not package_name.isidentifier():
        raise click.BadParameter("must be a valid Python identifier", param_hint="--package-name")
    try:
        result = compile_spec(spec, package_name=package_name, strict=strict)
    except CompilationFailed as failure:
        _report(failure.diagnostics)
        click.echo(f"naftiko-gen: {spec}: {summary_line(failure.diagnostics)}", err=True)
        sys.exit(ExitCode.INVALID)
    if not check:  # a drift check is silent when the output is up to date
        _report(result.diagnostics)
    digest = result.spec_digest
    if check or show_diff:
        drift = compare_tree(out, result.files, digest)
        if drift.clean:
            return
        click.echo(drift.diff, nl=False)
        if check:
            for label, paths in (("changed", drift.changed), ("missing", drift.missing), ("extra", drift.extra)):
                for path in paths:
                    click.echo(f"naftiko-gen: {label}: {out / path}", err=True)
            click.echo(f"naftiko-gen: {out} is out of date; run `naftiko-gen build {spec} -o {out}`", err=True)
            sys.exit(ExitCode.DRIFT)
        return
    try:
        removed = write_tree(out, result.files, digest, force=force)
    except OutputError as error:
        click.echo(f"naftiko-gen: error: {error}", err=True)
        sys.exit(ExitCode.INVALID)
    click.echo(
        f"naftiko-gen: wrote {len(result.files)} files to {out}"
        + (f", removed {len(removed)} stale" if removed else ""),
        err=True,
    )


@main.command(name="validate")
@click.argument("specs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: `file:line:col: severity[code]: message` lines on stderr; "
    "json: one JSON document with every diagnostic on stdout.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@_guarded
def validate_command(specs: tuple[Path, ...], output_format: str, strict: bool) -> None:
    """Check one or more SPECs; report every problem at once."""
    everything: list[Diagnostic] = []
    failed = False
    for spec in specs:
        try:
            _, diagnostics, _ = analyse(spec, strict=strict)
        except CompilationFailed as failure:
            diagnostics, failed = failure.diagnostics, True
        everything.extend(diagnostics)
    if output_format == "json":
        click.echo(
            json.dumps(
                {"valid": not failed, "diagnostics": [d.to_json() for d in everything]}, indent=2
            )
        )
    else:
        _report(everything)
        click.echo(f"naftiko-gen: {len(specs)} spec(s): {summary_line(everything)}", err=True)
    if failed:
        sys.exit(ExitCode.INVALID)
