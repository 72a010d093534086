"""A fast upstream stub: a raw asyncio HTTP/1.1 server that answers fixed JSON bodies.

It does the least work an HTTP server can do so that it is never the bottleneck: no
routing beyond the method, keep-alive, requests read by ``Content-Length`` only. ``GET``
answers ``fixtures/execution.json`` (a Flyte Admin execution), ``POST`` answers
``fixtures/create_response.json``, any other method answers ``{}``. A GET whose path ends in
``/int64-as-string`` answers ``fixtures/execution_int64_as_string.json``: the same execution
with ``spec.metadata.nesting`` spelled as Flyte Admin really spells 64-bit integers (a JSON
string), used once to check how each MCP server copes with it.

    python benchmarks/upstream_stub.py --port 0    # prints "upstream stub listening on http://HOST:PORT"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _response(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


def _compact(name: str) -> bytes:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return json.dumps(data, separators=(",", ":")).encode()


GET_RESPONSE = _response(_compact("execution.json"))
GET_INT64_RESPONSE = _response(_compact("execution_int64_as_string.json"))
POST_RESPONSE = _response(_compact("create_response.json"))
OTHER_RESPONSE = _response(b"{}")


class StubProtocol(asyncio.Protocol):
    """One connection: parse pipelined requests from the buffer, answer each at once."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        transport = self.transport
        assert transport is not None
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            start = head.lower().find(b"\r\ncontent-length:")
            if start >= 0:
                stop = head.find(b"\r\n", start + 2)
                length = int(head[start + 17 : stop if stop >= 0 else len(head)])
            total = end + 4 + length
            if len(buffer) < total:
                break
            method = head[: head.find(b" ")]
            buffer = buffer[total:]
            if method == b"GET":
                line_end = head.find(b"\r\n")
                target = head[: line_end if line_end >= 0 else len(head)]
                transport.write(
                    GET_INT64_RESPONSE if b"/int64-as-string " in target else GET_RESPONSE
                )
            elif method == b"POST":
                transport.write(POST_RESPONSE)
            else:
                transport.write(OTHER_RESPONSE)
        self.buffer = buffer


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(StubProtocol, host, port, backlog=1024)
    bound = server.sockets[0].getsockname()
    print(f"upstream stub listening on http://{bound[0]}:{bound[1]}", file=sys.stderr, flush=True)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
