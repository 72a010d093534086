"""The hand-written references: minimal Starlette proxies doing the same calls.

This is what a person would write by hand for the two benchmarked operations of the
generated REST server (GET one execution, POST a new execution), the upstream answer passed
through unchanged, on one of two stacks:

- ``--stack plain`` (the default): one shared ``httpx.AsyncClient`` on uvicorn as
  ``pip install starlette httpx uvicorn`` gives it (h11 parser, asyncio loop);
- ``--stack best``: the best we could write on the generated package's dependencies: one
  shared aiohttp ``ClientSession`` (pool of 100 kept-alive connections) on uvicorn with
  httptools and uvloop. The ceiling for a Starlette proxy on them.

    UPSTREAM=http://127.0.0.1:PORT python benchmarks/handwritten_proxy.py --port 0 [--stack best]
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


def best_app() -> Starlette:
    """The same proxy on one aiohttp session (imported only for ``--stack best``)."""
    import aiohttp

    session: list[aiohttp.ClientSession] = []

    async def relay(upstream: aiohttp.ClientResponse) -> Response:
        return Response(
            await upstream.read(),
            status_code=upstream.status,
            media_type=upstream.headers.get("content-type"),
        )

    async def get(request: Request) -> Response:
        p = request.path_params
        path = f"/api/v1/executions/{p['project']}/{p['domain']}/{p['name']}"
        async with session[0].get(UPSTREAM + path) as upstream:
            return await relay(upstream)

    async def create(request: Request) -> Response:
        body = await request.body()
        headers = {"content-type": "application/json"}
        async with session[0].post(
            UPSTREAM + "/api/v1/executions", data=body, headers=headers
        ) as upstream:
            return await relay(upstream)

    @asynccontextmanager
    async def best_lifespan(app: Starlette) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(limit=100, limit_per_host=100)
        async with aiohttp.ClientSession(connector=connector) as opened:
            session.append(opened)
            yield

    return Starlette(
        routes=[
            Route("/v1/api/v1/executions/{project}/{domain}/{name}", get, methods=["GET"]),
            Route("/v1/api/v1/executions", create, methods=["POST"]),
        ],
        lifespan=best_lifespan,
    )


async def serve(host: str, port: int, stack: str) -> None:
    if stack == "best":
        config = uvicorn.Config(
            best_app(), host=host, port=port, log_level="info", http="httptools"
        )
    else:
        config = uvicorn.Config(
            app, host=host, port=port, log_level="info", http="h11", loop="asyncio"
        )
    server = uvicorn.Server(config)
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
    parser.add_argument("--stack", choices=["plain", "best"], default="plain")
    args = parser.parse_args()
    try:
        if args.stack == "best":
            import uvloop

            uvloop.run(serve(args.host, args.port, args.stack))
        else:
            asyncio.run(serve(args.host, args.port, args.stack))
    except KeyboardInterrupt:
        pass
