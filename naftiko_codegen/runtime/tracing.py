"""Trace context read from callers and sent upstream (W3C ``traceparent`` or single-header
B3), and summaries of the most recent requests (the control port's ``/traces``)."""

from __future__ import annotations

import collections
import dataclasses
import datetime
import random
import re
import secrets
import time
from collections.abc import Mapping
from contextvars import ContextVar, Token
from typing import Any, Literal

import httpx

from .recording import Served

TRACE_CONTEXT: ContextVar[tuple[str, str] | None] = ContextVar("trace", default=None)
"""The trace context header (name, value) upstream calls carry for the current request."""

_INCOMING = {
    "w3c": re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$"),
    "b3": re.compile(
        r"^([0-9a-f]{32}|[0-9a-f]{16})-([0-9a-f]{16})(?:-([01d]))?(?:-[0-9a-f]{16})?$"
    ),
}


async def propagate_trace(request: httpx.Request) -> None:
    """An httpx request hook: every upstream call carries the current request's trace."""
    trace = TRACE_CONTEXT.get()
    if trace is not None:
        request.headers[trace[0]] = trace[1]


@dataclasses.dataclass
class Span:
    """The span of one request being served."""

    trace_id: str
    span_id: str
    parent_id: str | None
    sampled: bool
    started: float
    token: Token[tuple[str, str] | None]


class Tracer:
    """Continues the caller's trace (or starts one, sampled at ``sampling``), sends it to
    the upstream APIs and keeps the summaries of the last ``capacity`` sampled requests.
    """

    def __init__(
        self, propagation: Literal["w3c", "b3"], sampling: float, capacity: int
    ) -> None:
        self.propagation = propagation
        self.header = "traceparent" if propagation == "w3c" else "b3"
        """The trace context header read from callers and sent to upstream APIs."""
        self.sampling = sampling
        self.traces: collections.deque[dict[str, Any]] = collections.deque(
            maxlen=capacity
        )

    def parent(self, header: str | None) -> tuple[str, str, bool] | None:
        """Trace id, parent span id and sampled flag of a caller's context header."""
        match = _INCOMING[self.propagation].match((header or "").strip().lower())
        if (
            match is None
            or set(match.group(1)) == {"0"}
            or set(match.group(2)) == {"0"}
        ):
            return None
        if self.propagation == "w3c":
            return match.group(1), match.group(2), int(match.group(3), 16) & 1 == 1
        return match.group(1), match.group(2), match.group(3) in ("1", "d", None)

    def begin(self, headers: Mapping[str, str]) -> Span:
        """Start the span of a request: continue the caller's trace, or start a new one."""
        parent = self.parent(headers.get(self.header))
        if parent is None:
            trace_id, parent_id = secrets.token_hex(16), None
            sampled = random.random() < self.sampling
        else:
            trace_id, parent_id, sampled = parent
        span_id = secrets.token_hex(8)
        if self.propagation == "w3c":
            value = f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}"
        else:
            value = f"{trace_id}-{span_id}-{'1' if sampled else '0'}"
        token = TRACE_CONTEXT.set((self.header, value))
        return Span(trace_id, span_id, parent_id, sampled, time.time(), token)

    def end(self, begun: object, served: Served) -> None:
        """Finish a request's span and keep its summary when it is sampled."""
        assert isinstance(begun, Span)
        TRACE_CONTEXT.reset(begun.token)
        if not begun.sampled:
            return
        started = datetime.datetime.fromtimestamp(begun.started, datetime.UTC)
        summary: dict[str, Any] = {
            "traceId": begun.trace_id,
            "spanId": begun.span_id,
            "parentSpanId": begun.parent_id,
            "adapter": served.adapter,
            "operation": served.operation,
            "status": served.outcome,
            "durationMs": round(served.seconds * 1000, 3),
            "startTime": started.isoformat(),
        }
        if served.http_status is not None:
            summary["httpStatus"] = served.http_status
        self.traces.append(summary)

    def summaries(self) -> list[dict[str, Any]]:
        """The kept request summaries, newest first."""
        return list(reversed(self.traces))
