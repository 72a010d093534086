"""Fallback HTTP load generator (used only when ``wrk`` cannot be installed).

Raw asyncio, HTTP/1.1 keep-alive, ``--connections`` connections each sending the same
request back to back for ``--duration`` seconds; responses are read by Content-Length or
chunked encoding. Prints the same ``BENCH_JSON`` line as ``wrk_report.lua``.

    python benchmarks/loadgen.py http://127.0.0.1:PORT/path --connections 8 --duration 3 \\
        [--method POST --body '{}']
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    lower = head.lower()
    index = lower.find(b"\r\ncontent-length:")
    if index >= 0:
        end = lower.find(b"\r\n", index + 2)
        await reader.readexactly(int(lower[index + 17 : end]))
    elif b"transfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def run(
    url: str, method: str, body: bytes, connections: int, duration: float
) -> dict[str, object]:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    if body:
        headers += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    request = headers.encode() + b"\r\n" + body
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    deadline = start + duration

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                writer.write(request)
                status = await read_response(reader)
                latencies.append(time.perf_counter() - t)
                if status >= 400:
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(q: float) -> float:
        return (
            latencies[min(len(latencies) - 1, round(q / 100 * (len(latencies) - 1)))] * 1e6
            if latencies
            else float("nan")
        )

    return {
        "requests": len(latencies),
        "duration_s": elapsed,
        "errors": errors,
        "status_errors": errors,
        "p50_us": pct(50),
        "p99_us": pct(99),
        "mean_us": sum(latencies) / len(latencies) * 1e6 if latencies else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="")
    args = parser.parse_args()
    result = asyncio.run(
        run(args.url, args.method, args.body.encode(), args.connections, args.duration)
    )
    print("BENCH_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
