"""The ``naftiko-gen`` command line."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import keyword
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from . import __version__
from .diagnostics import CompilationFailed, Diagnostic, Severity, summary_line
from .exit_codes import ExitCode
from .formatting import BackgroundFormatter
from .output import OutputError, compare_tree, write_tree

F = TypeVar("F", bound=Callable[..., Any])

_RUNTIME_MODULES = frozenset(
    {"anyio", "click", "fastapi", "httpx", "jsonschema", "mcp", "pydantic", "starlette", "uvicorn"}
)
"""Top-level modules a generated package imports; a package of the same name would hide them."""


def _report(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format_text(), err=True)


def _promote(diagnostics: Sequence[Diagnostic], strict: bool) -> list[Diagnostic]:
    """With ``--strict``, warnings are reported (and count) as errors."""
    if not strict:
        return list(diagnostics)
    return [
        dataclasses.replace(d, severity=Severity.ERROR) if d.severity is Severity.WARNING else d
        for d in diagnostics
    ]


def _guarded(command: F) -> F:
    """Turn unexpected exceptions into exit code 3 with a short message, never a traceback
    (set NAFTIKO_GEN_DEBUG=1 to see it)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("naftiko-gen: interrupted", err=True)
            sys.exit(ExitCode.INTERRUPTED)
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


def _check_package_name(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> str | None:
    """``--package-name`` must be importable and must not hide a module the package uses."""
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise click.BadParameter(
            f"{value!r} is not a Python package name (ASCII letters, digits and `_`, "
            "not starting with a digit)"
        )
    if keyword.iskeyword(value):
        raise click.BadParameter(f"{value!r} is a Python keyword")
    if value in sys.stdlib_module_names or value in _RUNTIME_MODULES:
        raise click.BadParameter(
            f"{value!r} would hide the module of the same name that the generated package imports"
        )
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="naftiko-gen")
def main() -> None:
    """Compile Naftiko capability documents (naftiko: 1.0.0-alpha2) into standalone Python
    packages: a FastAPI server for REST adapters, an MCP server for MCP adapters, and an httpx
    client for every consumed API.

    Exit codes: 0 success, 1 drift found by `build --check`, 2 invalid spec, unusable output
    directory or bad usage, 3 internal error.
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
    "never touches others, and replaces the tree atomically.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and print a unified diff when OUT differs from a fresh build "
    "(changed, missing or extra files). Silent with exit 0 when up to date.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print the diff against OUT; write nothing, exit 0.",
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
    """Compile SPEC into a pip-installable package in OUT.

    Exit 0 on success (with --check: OUT is up to date), 1 when --check finds changed,
    missing or extra files, 2 for an invalid spec, an unusable OUT or bad usage, 3 on an
    internal error.
    """
    # The formatter imports black on the second CPU while this process imports the rest
    # of the compiler and compiles: about a fifth of a cold build.
    formatter = BackgroundFormatter.start()
    from . import pipeline

    try:
        result = pipeline.compile_spec(
            spec, package_name=package_name, strict=strict, formatter=formatter
        )
    except CompilationFailed as failure:
        diagnostics = _promote(failure.diagnostics, strict)
        _report(diagnostics)
        click.echo(f"naftiko-gen: {spec}: {summary_line(diagnostics)}", err=True)
        sys.exit(ExitCode.INVALID)
    if not check:  # a drift check is silent when the output is up to date
        _report(result.diagnostics)
    try:
        if check or show_diff:
            drift = compare_tree(out, result.files, result.spec_digest)
            if drift.clean:
                return
            click.echo(drift.diff, nl=False)
            if check:
                for label, paths in (
                    ("changed", drift.changed),
                    ("missing", drift.missing),
                    ("extra", drift.extra),
                ):
                    for path in paths:
                        click.echo(f"naftiko-gen: {label}: {out / path}", err=True)
                click.echo(
                    f"naftiko-gen: {out} is out of date; run `naftiko-gen build {spec} -o {out}`",
                    err=True,
                )
                sys.exit(ExitCode.DRIFT)
            return
        report = write_tree(out, result.files, result.spec_digest, force=force)
    except OutputError as error:
        click.echo(f"naftiko-gen: error: {error}", err=True)
        sys.exit(ExitCode.INVALID)
    for path in report.kept_aside:
        click.echo(
            f"naftiko-gen: warning: {path} was created in {out} during the build and could not "
            "be put back; it is in the hidden directory beside it",
            err=True,
        )
    if not report.written and not report.removed:
        click.echo(f"naftiko-gen: {out} is up to date", err=True)
        return
    click.echo(
        f"naftiko-gen: wrote {len(report.written)} of {len(result.files) + 1} files to {out}"
        + (f", removed {len(report.removed)} stale" if report.removed else ""),
        err=True,
    )


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
    """Check one or more SPECs; report every problem at once.

    Exit 0 when every SPEC is valid (warnings allowed unless --strict), 2 otherwise.
    """
    from . import pipeline

    everything: list[Diagnostic] = []
    failed = False
    for spec in specs:
        try:
            _, diagnostics, _ = pipeline.analyse(spec, strict=strict)
        except CompilationFailed as failure:
            diagnostics, failed = failure.diagnostics, True
        everything.extend(_promote(diagnostics, strict))
    if output_format == "json":
        click.echo(
            json.dumps(
                {"valid": not failed, "diagnostics": [d.to_json() for d in everything]},
                indent=2,
            )
        )
    else:
        _report(everything)
        click.echo(f"naftiko-gen: {len(specs)} spec(s): {summary_line(everything)}", err=True)
    if failed:
        sys.exit(ExitCode.INVALID)
