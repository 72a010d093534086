"""HTTP servers run side by side in one process, started and stopped together."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Sequence

import uvicorn
from starlette.types import ASGIApp


class StartupError(Exception):
    """A server cannot start (its address is taken or cannot be bound); ``label`` names it."""

    def __init__(self, label: str, message: str) -> None:
        super().__init__(message)
        self.label = label


def check_addresses(apps: Sequence[tuple[str, ASGIApp, str, int]]) -> None:
    """Raise :class:`StartupError` for the first server whose host and port cannot be
    bound now (taken, or not an address of this machine), before any server starts."""
    for label, _, host, port in apps:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            family, kind, proto, _, address = infos[0]
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
        except OSError as error:
            reason = error.strerror or str(error)
            shown = f"[{host}]" if ":" in host else host
            raise StartupError(
                label, f"{label} cannot listen on {shown}:{port}: {reason.lower()}"
            ) from None


async def serve(apps: Sequence[tuple[str, ASGIApp, str, int]], log_level: str) -> None:
    """Run HTTP servers side by side; announce each bound address on stderr; stop together.

    Raises :class:`StartupError` when an address cannot be bound."""
    check_addresses(apps)
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                app, host=host, port=port, log_level=log_level.lower(), lifespan="on"
            )
        )
        for _, app, host, port in apps
    ]
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    while not all(server.started for server in servers):
        if any(task.done() for task in tasks):
            break
        await asyncio.sleep(0.01)
    else:
        for (label, _, host, _), server in zip(apps, servers, strict=True):
            port = server.servers[0].sockets[0].getsockname()[1]
            shown = f"[{host}]" if ":" in host else host
            print(
                f"{label} listening on http://{shown}:{port}",
                file=sys.stderr,
                flush=True,
            )
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*pending)
    for task in done:
        task.result()
