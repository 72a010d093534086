"""For the upstream client and transport tests: a raw HTTP/1.1 upstream on loopback
(every answer written by the test, byte for byte) and the settings a client reads."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Answer = Callable[[bytes, bytes], Awaitable[bytes]]


@asynccontextmanager
async def upstream(answer: Answer) -> AsyncIterator[str]:
    """A raw HTTP/1.1 server on a free port: ``answer(head, body)`` writes each response."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length) if length else b""
                writer.write(await answer(head, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


def response(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}", f"content-length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclasses.dataclass(frozen=True)
class Limits:
    """The settings an ``UpstreamClient`` reads (``ClientSettings``), small for tests."""

    connect_timeout: float = 1.0
    read_timeout: float = 0.5
    total_timeout: float = 5.0
    max_response_bytes: int = 1000
    upstream_connections: int = 4
