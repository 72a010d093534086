"""What a batch prints while it runs: per-capability reports in a stable order, a progress
bar on a terminal, and the closing one-line summary.

Results arrive in completion order; they are printed in job order (each as soon as every
earlier one is in), so the log of a batch reads the same from one run to the next. The
bar is drawn on standard error only when it is a terminal, ``--quiet`` was not given and
the environment is not CI (``CI`` set to anything but ``0``/``false``); reports are written
above it.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import click

from .batch import Job, JobResult, Mode
from .diagnostics import summary_line
from .output import Drift
from .project import display_path


def in_ci() -> bool:
    """Whether the ``CI`` environment variable says this runs in continuous integration."""
    value = os.environ.get("CI", "")
    return bool(value) and value.lower() not in ("0", "false", "no")


class Bar:
    """A one-line progress bar on a terminal stream (``enabled`` false: draws nothing)."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.enabled = enabled and total > 1
        self.label = ""

    def advance(self, label: str) -> None:
        """One more capability finished."""
        self.done += 1
        self.label = label
        self.draw()

    def draw(self) -> None:
        """Redraw the bar in place."""
        if not self.enabled:
            return
        width = shutil.get_terminal_size((80, 20)).columns
        counter = f" {self.done}/{self.total} "
        cells = max(10, min(40, width // 3))
        filled = cells * self.done // self.total
        bar = "[" + "#" * filled + "." * (cells - filled) + "]"
        room = max(0, width - len(bar) - len(counter) - 1)
        self.stream.write("\r\x1b[K" + bar + counter + (self.label[-room:] if room else ""))
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar (before other output, and at the end)."""
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class Reporter:
    """Prints the results of a batch (see the module docstring).

    ``single``: one SPEC built with ``-o``, reported as a one-off build always was (paths
    as given, "up to date", no summary).
    """

    def __init__(self, jobs: Sequence[Job], mode: Mode, *, quiet: bool, single: bool) -> None:
        self.jobs = jobs
        self.mode = mode
        self.quiet = quiet
        self.single = single
        self.started = time.perf_counter()
        enabled = sys.stderr.isatty() and not quiet and not in_ci() and not single
        self.bar = Bar(len(jobs), sys.stderr, enabled)
        self._waiting: dict[int, JobResult] = {}
        self._next = 0

    def __call__(self, result: JobResult) -> None:
        """Take one result; print every result whose turn has come."""
        self._waiting[result.index] = result
        self.bar.clear()
        while self._next in self._waiting:
            self._print(self._waiting.pop(self._next))
            self._next += 1
        self.bar.advance(self._shown(self.jobs[result.index].spec))

    def _shown(self, path: Path) -> str:
        return str(path) if self.single else display_path(path)

    def _print(self, result: JobResult) -> None:
        spec = self._shown(self.jobs[result.index].spec)
        out = self._shown(result.output) if result.output is not None else ""
        if result.status == "invalid" or (self.mode != "check" and result.diagnostics):
            for diagnostic in result.diagnostics:
                _err(diagnostic.format_text())
        language = f" ({result.language})" if result.language else ""
        if self.mode == "validate" and result.status in ("valid", "invalid"):
            _err(f"naftiko-gen: {spec}: {summary_line(result.diagnostics)}{language}")
            return
        if result.status == "invalid":
            _err(f"naftiko-gen: {spec}: {summary_line(result.diagnostics)}")
        elif result.status == "failed":
            _err(
                f"naftiko-gen: error: {result.message}"
                if self.single
                else f"naftiko-gen: error: {spec}: {result.message}"
            )
        elif result.status == "internal":
            where = "" if self.single else f"  while compiling {spec}\n"
            _err(
                f"naftiko-gen: internal error: {result.message}\n{where}"
                "This is a bug in naftiko-gen; please report it with the spec that triggered "
                "it (set NAFTIKO_GEN_DEBUG=1 for the traceback)."
            )
        elif result.status == "drift" and result.drift is not None:
            self._print_drift(result.drift, spec, out)
        elif result.status == "built":
            for path in result.kept_aside:
                _err(
                    f"naftiko-gen: warning: {path} was created in {out} during the build and "
                    "could not be put back; it is in the hidden directory beside it"
                )
            if not self.quiet:
                removed = f", removed {result.removed} stale" if result.removed else ""
                _err(
                    f"naftiko-gen: wrote {result.written} of {result.files} files to {out}"
                    + removed
                    + (f" (from {result.language})" if result.language else "")
                )
        elif result.status == "unchanged" and self.single and not self.quiet:
            _err(f"naftiko-gen: {out} is up to date")

    def _print_drift(self, drift: Drift, spec: str, out: str) -> None:
        click.echo(drift.diff, nl=False)
        if self.mode != "check":
            return
        for label, paths in (
            ("changed", drift.changed),
            ("missing", drift.missing),
            ("extra", drift.extra),
        ):
            for path in paths:
                _err(f"naftiko-gen: {label}: {os.path.join(out, path)}")
        command = (
            f"naftiko-gen build {spec} -o {out}" if self.single else f"naftiko-gen build {spec}"
        )
        _err(f"naftiko-gen: {out} is out of date; run `{command}`")

    def summary(self, results: Sequence[JobResult]) -> None:
        """The closing line: counts by outcome and the time taken."""
        self.bar.clear()
        seconds = time.perf_counter() - self.started
        failed = sum(result.failed for result in results)
        if self.quiet and not failed:
            return
        count = {status: sum(r.status == status for r in results) for status in _STATUSES}
        if self.mode == "validate":
            diagnostics = [d for r in results for d in r.diagnostics]
            click.echo(
                f"naftiko-gen: {len(results)} spec(s): {summary_line(diagnostics)}", err=True
            )
            return
        elif self.mode == "build":
            line = f"built {count['built']}, unchanged {count['unchanged']}, failed {failed}"
        else:
            line = (
                f"checked {len(results)}: up to date {count['clean']}, "
                f"out of date {count['drift']}, failed {failed}"
            )
        click.echo(f"naftiko-gen: {line} in {seconds:.1f} s", err=True)


def _err(text: str) -> None:
    click.echo(text, err=True)


_STATUSES = ("built", "unchanged", "clean", "drift", "valid", "invalid", "failed", "internal")
