"""Each request an adapter serves, timed and handed to the capability's recorders
(Prometheus metrics, trace summaries)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class Served:
    """One request an adapter served."""

    adapter: str
    operation: str
    outcome: str
    """``ok``, or ``error`` for a failed tool call or an HTTP status of 400 and above."""
    seconds: float
    http_status: int | None = None


class Recorder(Protocol):
    """Something that records the requests served (metrics, traces)."""

    def begin(self, headers: Mapping[str, str]) -> object:
        """A request starts (``headers``: the caller's); returns what :meth:`end` gets."""

    def end(self, begun: object, served: Served) -> None:
        """The request was served."""


@dataclasses.dataclass(frozen=True)
class Started:
    """A request being served: when it started and what each recorder began."""

    clock: float
    begun: tuple[object, ...]


class Recording:
    """Hands every request served to each of ``recorders``, in order."""

    def __init__(self, *recorders: Recorder) -> None:
        self.recorders = recorders

    def start(self, headers: Mapping[str, str]) -> Started:
        """A request starts (``headers``: the caller's, which may carry a trace context)."""
        begun = tuple(recorder.begin(headers) for recorder in self.recorders)
        return Started(time.perf_counter(), begun)

    def finish(
        self,
        started: Started,
        adapter: str,
        operation: str,
        *,
        failed: bool,
        http_status: int | None = None,
    ) -> None:
        """The request was served (``failed``: an error answer)."""
        seconds = time.perf_counter() - started.clock
        outcome = "error" if failed else "ok"
        served = Served(adapter, operation, outcome, seconds, http_status)
        for recorder, begun in zip(self.recorders, started.begun, strict=True):
            recorder.end(begun, served)
