"""Options and error handling shared by the commands of the ``naftiko-gen`` command line."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .exit_codes import ExitCode
from .project import ConfigProblem

F = TypeVar("F", bound=Callable[..., Any])


def guarded(command: F) -> F:
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


def config_option(command: F) -> F:
    """``--config FILE``: the project configuration to use."""
    return click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Configuration file to use instead of the nearest pyproject.toml with a "
        "[tool.naftiko-gen] table (or naftiko-gen.toml), searched from the working directory "
        "upwards.",
    )(command)


def jobs_option(command: F) -> F:
    """``-j/--jobs N``: worker processes of a batch."""
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        metavar="N",
        help="Worker processes for several capabilities (default: the CPUs this process "
        "may use).",
    )(command)


def format_option(help: str) -> Callable[[F], F]:
    """``--format text|json`` with its help text."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help,
    )


def report_config(problems: Sequence[ConfigProblem]) -> None:
    """Print configuration problems, one located line each (stderr)."""
    for problem in problems:
        click.echo(problem.format_text(), err=True)
