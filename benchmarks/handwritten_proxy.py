"""The hand-written reference: a minimal Starlette + httpx proxy doing the same calls.

This is what a person would write by hand for the two benchmarked operations of the
generated REST server (GET one execution, POST a new execution): one shared
``httpx.AsyncClient``, the upstream answer passed through unchanged. It is the practical
upper bound for a Python proxy on the same stack (uvicorn, Starlette, httpx).

    UPSTREAM=http://127.0.0.1:PORT python benchmarks/handwritten_proxy.py --port 0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

UPSTREAM = os.environ.get("UPSTREAM", "http://127.0.0.1:30080")
client = httpx.AsyncClient(base_url=UPSTREAM, timeout=30.0, trust_env=False)


async def get_execution(request: Request) -> Response:
    p = request.path_params
    upstream = await client.get(f"/api/v1/executions/{p['project']}/{p['domain']}/{p['name']}")
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type"),
    )


async def create_execution(request: Request) -> Response:
    upstream = await client.post(
        "/api/v1/executions",
        content=await request.body(),
        headers={"content-type": "application/json"},
    )
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type"),
    )


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with client:
        yield


app = Starlette(
    routes=[
        Route("/v1/api/v1/executions/{project}/{domain}/{name}", get_execution, methods=["GET"]),
        Route("/v1/api/v1/executions", create_execution, methods=["POST"]),
    ],
    lifespan=lifespan,
)


async def serve(host: str, port: int) -> None:
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        bound = server.servers[0].sockets[0].getsockname()
        print(
            f"hand-written proxy listening on http://{bound[0]}:{bound[1]}",
            file=sys.stderr,
            flush=True,
        )
    await task


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.host, args.port))
    except KeyboardInterrupt:
        pass
