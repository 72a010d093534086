"""Many capabilities in one process: compile, check or validate them on every usable CPU.

The compiler is imported once; then worker processes are forked (a fork shares the imported
modules, so a worker starts in a millisecond instead of the third of a second a new
``naftiko-gen`` process takes). Each worker gets its own slice of the CPUs this process may
run on, and takes one capability at a time from the parent, the largest files first, so a
long one never holds the others up at the end; once nothing is left to hand out, the workers
still compiling may use every CPU again. A worker given a single CPU formats on it alone
(the formatter forks a helper only where its process may use a second CPU); one given
several, when there are fewer capabilities than CPUs, lets the formatter use them. All
workers share the on-disk format cache and write their outputs atomically
(``output.write_tree``).

Forking is used only from a single-threaded process (a fork copies no other thread, so a
lock another thread held would never be released in the child) and only where
``os.fork`` exists; otherwise the capabilities are compiled one after the other here, with
the same results. A worker that dies costs only its capability (reported as an internal
error); the others go on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import pickle
import selectors
import signal
import struct
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from .diagnostics import CompilationFailed, Diagnostic, Severity
from .formatting import BackgroundFormatter
from .output import Drift, OutputError, compare_tree, write_tree
from .project import ConfiguredSpec, display_path

Mode = Literal["build", "check", "diff", "validate"]
Status = Literal["built", "unchanged", "clean", "drift", "valid", "invalid", "failed", "internal"]


@dataclasses.dataclass(frozen=True)
class Job:
    """One capability to compile."""

    spec: Path
    output: Path | None = None
    """Where the package goes; ``None``: the configured output, once the package name is
    known (``{package}``)."""
    configured: ConfiguredSpec | None = None
    package_name: str | None = None
    strict: bool = False
    openapi: tuple[str, ...] = ()
    """``[NAMESPACE=]FILE`` values: the OpenAPI documents that type the consumed APIs."""

    def output_for(self, package: str) -> Path:
        """The output directory once the package name is known."""
        if self.output is not None:
            return self.output
        assert self.configured is not None
        return self.configured.output_for(package)


@dataclasses.dataclass(frozen=True)
class Options:
    """What to do with every job."""

    mode: Mode
    force: bool = False
    single: bool = False
    """One capability built with ``-o``: diff headers name files inside the output only."""


@dataclasses.dataclass(frozen=True)
class JobResult:
    """What became of one job."""

    index: int
    status: Status
    diagnostics: tuple[Diagnostic, ...] = ()
    output: Path | None = None
    message: str = ""
    """Why the job failed (an output problem, an internal error)."""
    written: int = 0
    files: int = 0
    """Files of the package, the manifest included."""
    removed: int = 0
    kept_aside: tuple[str, ...] = ()
    drift: Drift | None = None
    language: str | None = None
    """The language the spec is written in, once it was read that far."""

    @property
    def failed(self) -> bool:
        """True for an invalid spec, an unusable output or an internal error."""
        return self.status in ("invalid", "failed", "internal")


Claim = Callable[[Path], "str | None"]
"""Asks whether a job may own an output directory: ``None`` (yes) or why not."""


def promote(diagnostics: Sequence[Diagnostic], strict: bool) -> tuple[Diagnostic, ...]:
    """With ``strict``, warnings are reported (and count) as errors."""
    if not strict:
        return tuple(diagnostics)
    return tuple(
        dataclasses.replace(d, severity=Severity.ERROR) if d.severity is Severity.WARNING else d
        for d in diagnostics
    )


def execute(
    index: int,
    job: Job,
    options: Options,
    claim: Claim,
    formatter: BackgroundFormatter | None = None,
) -> JobResult:
    """Run one job; every outcome, an unexpected exception included, becomes a result."""
    try:
        return _execute(index, job, options, claim, formatter)
    except Exception as error:  # one capability's bug must not stop the others
        detail = traceback.format_exc() if os.environ.get("NAFTIKO_GEN_DEBUG") else ""
        return JobResult(
            index, "internal", message=f"{type(error).__name__}: {error}\n{detail}".rstrip()
        )


def _execute(
    index: int,
    job: Job,
    options: Options,
    claim: Claim,
    formatter: BackgroundFormatter | None,
) -> JobResult:
    from . import pipeline
    from .openapi import OpenApiFile

    openapi = [OpenApiFile.parse(value) for value in job.openapi]
    try:
        if options.mode == "validate":
            if formatter is not None:
                formatter.close()
            capability, diagnostics, _ = pipeline.analyse(
                job.spec, package_name=job.package_name, strict=job.strict, openapi=openapi
            )
            found = promote(diagnostics, job.strict)
            return JobResult(index, "valid", found, language=capability.language)
        result = pipeline.compile_spec(
            job.spec,
            package_name=job.package_name,
            strict=job.strict,
            formatter=formatter,
            openapi=openapi,
        )
    except CompilationFailed as failure:
        found = promote(failure.diagnostics, job.strict)
        return JobResult(index, "invalid", found, language=failure.language)
    language = result.capability.language
    warnings = tuple(result.diagnostics)
    out = job.output_for(result.capability.package)
    refusal = claim(out)
    if refusal is not None:
        return JobResult(index, "failed", warnings, out, refusal)
    try:
        if options.mode in ("check", "diff"):
            label = "" if options.single else display_path(out)
            drift = compare_tree(out, result.files, result.spec_digest, label=label)
            status: Status = "clean" if drift.clean else "drift"
            return JobResult(index, status, warnings, out, drift=drift)
        report = write_tree(out, result.files, result.spec_digest, force=options.force)
    except OutputError as error:
        return JobResult(index, "failed", warnings, out, str(error))
    return JobResult(
        index,
        "built" if report.written or report.removed else "unchanged",
        warnings,
        out,
        written=len(report.written),
        files=len(result.files) + 1,
        removed=len(report.removed),
        kept_aside=tuple(report.kept_aside),
        language=language,
    )


# --------------------------------------------------------------------------- output claims


class Claims:
    """Which job owns which output directory: two jobs may not write one directory, nor
    one inside the other (a swap of the outer tree would race with the inner build)."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        self._jobs = jobs
        self._owners: dict[Path, int] = {}

    def claim(self, index: int, out: Path) -> str | None:
        """Give ``out`` to job ``index``; ``None``, or why another job already has it."""
        real = Path(os.path.abspath(out))
        for owned, owner in self._owners.items():
            if owner == index:
                continue
            if owned == real or owned in real.parents or real in owned.parents:
                relation = "the output" if owned == real else "inside or around the output"
                return (
                    f"{display_path(real)} is {relation} of {display_path(self._jobs[owner].spec)}"
                    f" as well; give the two capabilities distinct output folders"
                )
        self._owners[real] = index
        return None


# --------------------------------------------------------------------------- running


def usable_cpus() -> int:
    """CPUs this process may use: its affinity mask, capped by a cgroup CPU quota."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    count = count or 1
    with contextlib.suppress(OSError, ValueError):
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, -(-int(quota) // int(period))))
    return count


def can_fork() -> bool:
    """Whether workers may be forked (``os.fork`` exists, one thread runs)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def run(
    jobs: Sequence[Job],
    options: Options,
    *,
    workers: int,
    on_result: Callable[[JobResult], None],
) -> list[JobResult]:
    """Run every job on up to ``workers`` processes; ``on_result`` sees each result as it
    arrives (in completion order); the results are returned in job order.

    Outputs known in advance are claimed first, in job order, so that two configured
    capabilities sharing an output are reported the same way every time; an output that
    depends on the package name is claimed once the package name is known.
    """
    claims = Claims(jobs)
    results: dict[int, JobResult] = {}

    def record(result: JobResult) -> None:
        results[result.index] = result
        on_result(result)

    pending = []
    for index, job in enumerate(jobs):
        refusal = None
        if job.output is not None and options.mode != "validate":
            refusal = claims.claim(index, job.output)
        if refusal is None:
            pending.append(index)
        else:
            record(JobResult(index, "failed", output=job.output, message=refusal))
    workers = min(workers, len(pending))
    if workers > 1 and can_fork():
        _Pool(jobs, options, claims, workers).run(pending, record)
    else:
        for index in pending:
            formatter = BackgroundFormatter.start() if len(pending) == 1 else None
            claim = functools.partial(claims.claim, index)
            record(execute(index, jobs[index], options, claim, formatter))
    return [results[index] for index in range(len(jobs))]


def _send(stream: IO[bytes], message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message on ``stream``; ``None`` at its end (or on a truncated one)."""
    header = stream.read(8)
    if len(header) < 8:
        return None
    (size,) = struct.unpack(">Q", header)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return pickle.loads(payload)


@dataclasses.dataclass
class _Worker:
    pid: int
    cpus: frozenset[int]
    commands: IO[bytes]
    answers: IO[bytes]
    job: int | None = None


class _Pool:
    """Forked workers, each fed one job at a time by the parent."""

    def __init__(self, jobs: Sequence[Job], options: Options, claims: Claims, size: int) -> None:
        self.jobs = jobs
        self.options = options
        self.claims = claims
        self.slices = _cpu_slices(size)
        self.workers: list[_Worker] = []

    def run(self, pending: list[int], record: Callable[[JobResult], None]) -> None:
        """Run ``pending`` jobs to the end; each result goes to ``record`` as it arrives."""
        queue = sorted(pending, key=self._size)  # popped from the end: the largest first
        selector = selectors.DefaultSelector()
        workers: list[_Worker] = []
        self.workers = workers
        try:
            for cpus in self.slices:
                worker = self._spawn(cpus)
                workers.append(worker)
                selector.register(worker.answers, selectors.EVENT_READ, worker)
                self._feed(worker, queue)
            while any(worker.job is not None for worker in workers):
                for key, _ in selector.select():
                    worker = key.data
                    message = _receive(worker.answers)
                    if message is None:
                        selector.unregister(worker.answers)
                        workers.remove(worker)
                        lost = worker.job
                        status = self._reap(worker)
                        if lost is not None:
                            record(JobResult(lost, "internal", message=status))
                        if queue:
                            worker = self._spawn(worker.cpus)
                            workers.append(worker)
                            selector.register(worker.answers, selectors.EVENT_READ, worker)
                            self._feed(worker, queue)
                        continue
                    kind, payload = message
                    if kind == "claim":
                        assert worker.job is not None
                        _send(worker.commands, self.claims.claim(worker.job, payload))
                        continue
                    record(payload)
                    worker.job = None
                    self._feed(worker, queue)
        finally:
            selector.close()
            for worker in workers:
                self._stop(worker)

    def _size(self, index: int) -> int:
        try:
            return self.jobs[index].spec.stat().st_size
        except OSError:
            return 0

    def _feed(self, worker: _Worker, queue: list[int]) -> None:
        """Give ``worker`` its next job, or tell it to leave when there is none.

        Once nothing is left to hand out, the workers still compiling may use every CPU of
        the mask (their formatter then forks onto the idle ones): the end of a batch does
        not wait for one capability on one CPU while the others idle.
        """
        if queue:
            worker.job = queue.pop()
            _send(worker.commands, worker.job)
            return
        with contextlib.suppress(OSError):
            worker.commands.close()
        if self.slices[0] and hasattr(os, "sched_setaffinity"):
            everything = frozenset().union(*self.slices)
            for busy in self.workers:
                if busy.job is not None and busy is not worker:
                    with contextlib.suppress(OSError):
                        os.sched_setaffinity(busy.pid, everything)

    def _spawn(self, cpus: frozenset[int]) -> _Worker:
        commands_in, commands_out = os.pipe()
        answers_in, answers_out = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: serve, then leave without running any cleanup
            status = 1
            with contextlib.suppress(BaseException):
                os.close(commands_out)
                os.close(answers_in)
                # The fork copied the parent's ends of its siblings' pipes; holding them
                # would keep a sibling from ever seeing its pipe close (a hang on Ctrl-C).
                for sibling in self.workers:
                    sibling.commands.close()
                    sibling.answers.close()
                self._serve(cpus, commands_in, answers_out)
                status = 0
            os._exit(status)
        os.close(commands_in)
        os.close(answers_out)
        return _Worker(pid, cpus, os.fdopen(commands_out, "wb"), os.fdopen(answers_in, "rb"))

    def _serve(self, cpus: frozenset[int], commands_fd: int, answers_fd: int) -> None:
        # Ctrl-C reaches the whole process group: the parent decides, the worker is stopped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if cpus and hasattr(os, "sched_setaffinity"):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, cpus)
        commands = os.fdopen(commands_fd, "rb")
        answers = os.fdopen(answers_fd, "wb")

        def claim(out: Path) -> str | None:
            _send(answers, ("claim", out))
            reply: str | None = _receive(commands)
            return reply

        while True:
            index = _receive(commands)
            if index is None:
                return
            result = execute(index, self.jobs[index], self.options, claim)
            _send(answers, ("done", result))

    @staticmethod
    def _reap(worker: _Worker) -> str:
        """Wait for a worker that closed its pipe; say how it ended."""
        with contextlib.suppress(OSError):
            worker.answers.close()
        with contextlib.suppress(OSError):
            worker.commands.close()
        _, status = os.waitpid(worker.pid, 0)
        if os.WIFSIGNALED(status):
            return f"the worker process was killed by signal {os.WTERMSIG(status)}"
        return f"the worker process exited with status {os.waitstatus_to_exitcode(status)}"

    @staticmethod
    def _stop(worker: _Worker) -> None:
        """Stop a worker (interrupted run) or collect one that has left."""
        for stream in (worker.commands, worker.answers):
            with contextlib.suppress(OSError):
                stream.close()
        if worker.job is not None:
            with contextlib.suppress(OSError):
                os.kill(worker.pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(worker.pid, 0)


def _cpu_slices(size: int) -> list[frozenset[int]]:
    """The CPUs of this process's affinity mask dealt out to ``size`` workers (empty sets
    where the mask is unknown: the workers then run anywhere)."""
    if not hasattr(os, "sched_getaffinity"):
        return [frozenset()] * size
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < size:
        return [frozenset()] * size
    return [frozenset(cpus[start::size]) for start in range(size)]
