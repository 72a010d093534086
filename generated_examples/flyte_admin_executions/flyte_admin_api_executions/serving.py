"""HTTP servers run side by side in one process, or in several worker processes sharing
the listening sockets; started together and stopped together, gracefully on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import socket
import sys
from collections.abc import Coroutine, Generator, Sequence
from typing import Any, NoReturn, TypeVar

import uvicorn
from starlette.types import ASGIApp

HttpApp = tuple[str, ASGIApp, str, int]
"""(label, application, host, port) of one HTTP server."""

_T = TypeVar("_T")


class StartupError(Exception):
    """A server cannot start (its address is taken or cannot be bound); ``label`` names it."""

    def __init__(self, label: str, message: str) -> None:
        super().__init__(message)
        self.label = label


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run(main: Coroutine[Any, Any, _T]) -> _T:
    """Run ``main`` on uvloop's event loop where it is installed, else asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - exercised where the wheel is missing
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


class _Server(uvicorn.Server):
    """A uvicorn server whose stop signals :func:`serve` handles, for every server of the
    process at once (uvicorn's own handlers belong to one server)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """No signal handlers of its own."""
        yield


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host`` and ``port`` (0: a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=2048)
    sock.set_inheritable(True)
    return sock


def announce(apps: Sequence[HttpApp], sockets: Sequence[socket.socket]) -> None:
    """Say on stderr where each server listens."""
    for (label, _, host, _), sock in zip(apps, sockets, strict=True):
        port = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        print(
            f"{label} listening on http://{shown}:{port}", file=sys.stderr, flush=True
        )


async def serve(
    apps: Sequence[HttpApp],
    sockets: Sequence[socket.socket],
    log_level: str,
    shutdown_timeout: float,
) -> None:
    """Serve each app on its socket until SIGTERM or SIGINT (or until one server stops):
    then stop accepting connections, let in-flight calls finish for up to
    ``shutdown_timeout`` seconds, cancel what is left and close the upstream clients."""
    servers = [
        _Server(
            uvicorn.Config(
                app,
                log_level=log_level.lower(),
                lifespan="on",
                timeout_graceful_shutdown=math.ceil(shutdown_timeout),
            )
        )
        for _, app, _, _ in apps
    ]

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for signum in _STOP_SIGNALS:
        loop.add_signal_handler(signum, stop)
    tasks = [
        asyncio.create_task(server.serve(sockets=[sock]))
        for server, sock in zip(servers, sockets, strict=True)
    ]
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop()
        await asyncio.gather(*pending)
    finally:
        for signum in _STOP_SIGNALS:
            loop.remove_signal_handler(signum)
    for task in done:
        task.result()


def serve_http(
    apps: Sequence[HttpApp], log_level: str, shutdown_timeout: float, workers: int = 1
) -> int:
    """Bind every server's socket, announce it, and serve in this process (``workers``
    1) or in ``workers`` forked processes that share the sockets, the kernel spreading
    connections over them. SIGTERM to this process stops them all gracefully. Returns
    the exit status: 0, or 1 when a worker died. Raises :class:`StartupError`, before any
    server starts, when an address cannot be bound."""
    sockets = []
    for label, _, host, port in apps:
        try:
            sockets.append(bind(host, port))
        except OSError as error:
            for sock in sockets:
                sock.close()
            reason = error.strerror or str(error)
            shown = f"[{host}]" if ":" in host else host
            raise StartupError(
                label, f"{label} cannot listen on {shown}:{port}: {reason.lower()}"
            ) from None
    if workers <= 1:
        announce(apps, sockets)
        run(serve(apps, sockets, log_level, shutdown_timeout))
        return 0
    return _supervise(apps, sockets, log_level, shutdown_timeout, workers)


def _supervise(
    apps: Sequence[HttpApp],
    sockets: Sequence[socket.socket],
    log_level: str,
    shutdown_timeout: float,
    workers: int,
) -> int:
    """Fork the workers and wait for them; a stop signal is passed on to each, and a
    worker that dies on its own stops the others (the orchestrator restarts the whole
    process). Stop signals are held while forking, so that none is lost or reaches a
    worker before it has its own handlers."""
    children: list[int] = []
    stopping = False

    def pass_on(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    for signum in _STOP_SIGNALS:
        signal.signal(signum, pass_on)
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            _work(apps, sockets, log_level, shutdown_timeout)
        children.append(pid)
    announce(apps, sockets)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    status = 0
    while children:
        pid, code = os.wait()
        if pid not in children:
            continue
        children.remove(pid)
        if os.waitstatus_to_exitcode(code) != 0 and not stopping:
            status = 1
            pass_on(signal.SIGTERM, None)
    return status


def _work(
    apps: Sequence[HttpApp],
    sockets: Sequence[socket.socket],
    log_level: str,
    shutdown_timeout: float,
) -> NoReturn:
    """A forked worker: serve, then exit without returning into the parent's code."""
    for signum in _STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    status = 1
    try:
        run(serve(apps, sockets, log_level, shutdown_timeout))
        status = 0
    finally:
        os._exit(status)
