"""What every HTTP request of a REST or MCP adapter passes first: the Host and Origin it
may come with, the limits on its size and shape, cancellation when its client goes away,
and one logged line (with a request id) for anything that fails unexpectedly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, Literal, Protocol
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .env_settings import is_loopback
from .errors import log_unexpected, problem
from .json_limits import Limits, LimitSettings

_logger = logging.getLogger(__name__)

WATCH_AFTER = 0.05
"""Seconds a REST request runs before a disconnect of its client is watched for (and
then cancels it, its upstream call with it)."""

AdapterKind = Literal["rest", "mcp"]
"""Which adapter a guard serves: REST answers with problem documents, MCP with JSON-RPC
errors."""


class GuardSettings(LimitSettings, Protocol):
    """The settings a guard reads (the generated ``Settings`` has them)."""

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """``Host`` values accepted (``*``: any)."""

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """``Origin`` values accepted (``*``: any)."""


def guard_requests(
    app: Starlette,
    settings: GuardSettings,
    host: str,
    env_prefix: str,
    protocol: AdapterKind,
    *,
    authenticated: bool,
) -> None:
    """Put a :class:`RequestGuard` in front of ``app`` (listening on ``host``); warn when
    it listens beyond loopback and nothing authenticates its clients."""
    if not is_loopback(host) and not authenticated:
        _logger.warning(
            "the %s adapter listens on %s, beyond this machine, and requires no "
            "authentication: anyone who can reach it can call the upstream APIs "
            "with this server's credentials",
            protocol.upper(),
            host,
        )
    app.add_middleware(
        RequestGuard,
        limits=Limits.of(settings, env_prefix),
        protocol=protocol,
        allowed_hosts=settings.allowed_hosts if not is_loopback(host) else (),
        allowed_origins=settings.allowed_origins,
        env_prefix=env_prefix,
    )


class RequestGuard:
    """ASGI middleware: Host/Origin checks (where ``allowed_hosts`` is given), body size,
    JSON depth and string limits, REST requests cancelled when their client disconnects,
    unexpected exceptions logged once and answered without internals."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: Limits,
        protocol: AdapterKind,
        allowed_hosts: Sequence[str] = (),
        allowed_origins: Sequence[str] = (),
        env_prefix: str = "",
    ) -> None:
        self.app = app
        self.limits = limits
        self.protocol = protocol
        self.allowed_hosts = tuple(host.lower() for host in allowed_hosts)
        self.allowed_origins = tuple(origin.lower() for origin in allowed_origins)
        self.env_prefix = env_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request (anything but HTTP goes straight through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._check_head(scope)
        if refusal is None:
            body = await self._read_body(receive)
            if body is None:
                refusal = (413, self.limits.body_too_large())
            elif body is False:
                return  # the client went away before sending its body
            else:
                refusal = self._check_body(body)
        if refusal is not None:
            response = self._refuse(*refusal)
            if refusal[0] == 413:
                # the body was not read to its end: the connection cannot serve another
                # request, and a client must not try
                response.headers["connection"] = "close"
            await response(scope, receive, send)
            return
        assert isinstance(body, bytes)
        await self._serve(scope, body, receive, send)

    def _check_head(self, scope: Scope) -> tuple[int, str] | None:
        # ASGI header names are lower case; only three are looked at
        host = origin = length = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"origin":
                origin = value
            elif name == b"content-length":
                length = value
        if self.allowed_hosts:
            host_text = (host or b"").decode("latin-1").lower()
            if not _allowed(host_text, self.allowed_hosts, strip_port=True):
                return 421, (
                    f"Host {host_text!r} is not served here "
                    f"(setting {self.env_prefix}ALLOWED_HOSTS)"
                )
            origin_text = None if origin is None else origin.decode("latin-1")
            if origin_text is not None and not _allowed(
                origin_text.lower(), self.allowed_origins, strip_port=False
            ):
                return 403, (
                    f"Origin {origin_text!r} is not allowed "
                    f"(setting {self.env_prefix}ALLOWED_ORIGINS)"
                )
        declared = length is not None and length.isdigit()
        if declared and int(length or 0) > self.limits.max_body_bytes:
            return 413, self.limits.body_too_large()
        raw = scope.get("raw_path") or scope["path"].encode("utf-8")
        query = scope.get("query_string", b"")
        longest = self.limits.max_string_length
        if len(raw) + len(query) <= longest:
            return None  # no segment or value can be longer than the whole target
        pieces = raw.split(b"?", 1)[0].split(b"/") + query.replace(b"=", b"&").split(
            b"&"
        )
        # a percent-encoded character is three bytes: only long pieces are decoded
        for piece in pieces:
            if len(piece) > longest and len(unquote(piece.decode("latin-1"))) > longest:
                return 414, self.limits.string_too_long("a path segment or query value")
        return None

    async def _read_body(self, receive: Receive) -> bytes | None | Literal[False]:
        """The whole body; ``None`` when it is too large, ``False`` when the client left."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _check_body(self, body: bytes) -> tuple[int, str] | None:
        reason = self.limits.json_problem(body)
        return None if reason is None else (400, reason)

    def _refuse(self, status: int, message: str) -> JSONResponse:
        if self.protocol == "mcp":
            code = -32700 if status == 400 else -32600
            return JSONResponse(
                {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {"code": code, "message": message},
                },
                status_code=status,
            )
        return _problem(status, message)

    async def _serve(
        self, scope: Scope, body: bytes, receive: Receive, send: Send
    ) -> None:
        """Run the app with the body read; a REST request is cancelled (its upstream call
        with it) when the client disconnects."""
        started = False
        delivered = False
        disconnected = asyncio.Event()

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            if self.protocol == "mcp":
                return await receive()
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def run() -> None:
            try:
                await self.app(scope, replay, tracked_send)
            except Exception as error:  # noqa: BLE001 - every request gets an answer
                what = f"{scope.get('method', '')} {scope.get('path', '')}"
                request_id = log_unexpected(_logger, what, error)
                if not started:
                    await self._internal_error(request_id)(scope, replay, tracked_send)

        if self.protocol != "rest":
            await run()
            return
        request = asyncio.current_task()
        assert request is not None
        loop = asyncio.get_running_loop()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            disconnected.set()
            if not started:
                _logger.info(
                    "%s %s cancelled: the client disconnected",
                    scope.get("method", ""),
                    scope.get("path", ""),
                )
            request.cancel()

        watchers: list[asyncio.Task[None]] = []
        # most requests are answered before anyone could tell that their client left:
        # only one still running after WATCH_AFTER s gets a task waiting for that
        timer = loop.call_later(
            WATCH_AFTER, lambda: watchers.append(loop.create_task(watch()))
        )
        try:
            await run()
        except asyncio.CancelledError:
            # ours (the client left) ends the request quietly; anyone else's goes on
            if not disconnected.is_set() or request.uncancel() > 0:
                raise
        finally:
            timer.cancel()
            for watcher in watchers:
                watcher.cancel()

    def _internal_error(self, request_id: str) -> JSONResponse:
        message = (
            "the request failed unexpectedly; the server log names it "
            f"request {request_id}"
        )
        if self.protocol == "mcp":
            return JSONResponse(
                {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {"code": -32603, "message": message},
                },
                status_code=500,
            )
        return _problem(500, message, request_id=request_id)


def _allowed(value: str, allowed: Sequence[str], *, strip_port: bool) -> bool:
    if "*" in allowed or value in allowed:
        return True
    without_port = value.rsplit(":", 1)[0] if not value.endswith("]") else value
    return strip_port and without_port in allowed


def _problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse(
        problem(status, HTTPStatus(status).phrase, detail, **extra),
        status_code=status,
        media_type="application/problem+json",
    )
