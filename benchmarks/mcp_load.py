"""MCP load generator: the official ``mcp`` SDK client calling one tool in a loop.

``--sessions N`` opens N client sessions (one ``mcp.Client`` each, Streamable HTTP), warms
each up, then has every session call the tool back to back for ``--duration`` seconds.
Prints one JSON line: calls, errors, duration, calls/s, latency percentiles (µs) and this
process's CPU time, so a saturated client can be told from a slow server.

    python benchmarks/mcp_load.py URL TOOL '{"arg": "value"}' --sessions 8 --duration 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from contextlib import AsyncExitStack
from typing import Any

from mcp import Client


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


async def run(
    url: str, tool: str, arguments: dict[str, Any], sessions: int, duration: float, warmup: int
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    first_error = ""
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(Client(url)) for _ in range(sessions)]
        for client in clients:  # warm-up, not timed
            for _ in range(warmup):
                result = await client.call_tool(tool, arguments)
                if result.is_error:
                    text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
                    raise SystemExit(f"tool {tool} failed during warm-up: {text}")
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        deadline = start + duration

        async def worker(client: Client) -> None:
            nonlocal errors, first_error
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                latencies.append(time.perf_counter() - t)
                if result.is_error:
                    errors += 1
                    if not first_error and result.content:
                        first_error = getattr(result.content[0], "text", "")[:300]

        await asyncio.gather(*(worker(c) for c in clients))
        elapsed = time.perf_counter() - start
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    latencies.sort()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "requests": len(latencies),
        "errors": errors,
        "first_error": first_error,
        "duration_s": elapsed,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_us": percentile(latencies, 50) * 1e6,
        "p99_us": percentile(latencies, 99) * 1e6,
        "client_cpu_s": cpu,
    }


async def check(url: str, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """One call: did it succeed, and what did it say."""
    try:
        async with Client(url) as client:
            result = await client.call_tool(tool, arguments)
    except Exception as error:  # noqa: BLE001 - the outcome is what is reported
        leaves: list[BaseException] = [error]
        while leaves and isinstance(leaves[0], BaseExceptionGroup):
            leaves = list(leaves[0].exceptions)
        text = f"{type(leaves[0]).__name__}: {leaves[0]}" if leaves else repr(error)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        key = [line for line in lines if "is not of type" in line or line.startswith("On instance")]
        return {
            "is_error": True,
            "raised": True,
            "text": " … ".join(dict.fromkeys(lines[:1] + key[:3]))[:400],
        }
    text = getattr(result.content[0], "text", "") if result.content else ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    key = [line for line in lines if "is not of type" in line or "validation" in line.lower()]
    summary = " … ".join(dict.fromkeys(lines[:1] + key[:2]))
    return {
        "is_error": bool(result.is_error),
        "text": summary[:400],
        "structured": result.structured_content is not None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("tool")
    parser.add_argument("arguments")
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="make one call and report its outcome")
    args = parser.parse_args()
    if args.check:
        print(
            "BENCH_JSON "
            + json.dumps(asyncio.run(check(args.url, args.tool, json.loads(args.arguments)))),
            flush=True,
        )
        return
    result = asyncio.run(
        run(
            args.url,
            args.tool,
            json.loads(args.arguments),
            args.sessions,
            args.duration,
            args.warmup,
        )
    )
    print("BENCH_JSON " + json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
