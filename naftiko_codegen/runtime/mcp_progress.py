"""Progress notifications for tool calls that take a while."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

T = TypeVar("T")

ProgressReport = Callable[[float, str], Awaitable[None]]
"""Sends one progress notification: the seconds waited so far, and a message."""

PROGRESS_AFTER = 1.0
"""Seconds a call runs before its first progress notification, and between the next ones."""


async def with_progress(
    call: Callable[[], Awaitable[T]],
    report: ProgressReport,
    what: str,
    *,
    every: float = PROGRESS_AFTER,
) -> T:
    """The answer of ``call``; while it runs, every ``every`` seconds ``report`` is told how
    long the call has waited for ``what``. A call answering sooner sends nothing. Cancelling
    the caller cancels ``call``."""
    answer: list[T] = []

    async def heartbeat() -> None:
        waited = 0.0
        while True:
            await anyio.sleep(every)
            waited += every
            try:
                await report(waited, f"waiting for {what} ({waited:g} s)")
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                return  # the client is gone: a lost notification must not fail the call

    async with anyio.create_task_group() as group:
        group.start_soon(heartbeat)
        answer.append(await call())
        group.cancel_scope.cancel()
    return answer[0]
