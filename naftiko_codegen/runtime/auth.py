"""Caller authentication of the exposed adapters: constant-time checks, RFC 9457 401s."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import problem

Check = Callable[[HTTPConnection], bool]
"""Decides whether a request carries the configured credential."""


@runtime_checkable
class ChallengingCheck(Protocol):
    """A check whose ``WWW-Authenticate`` challenge depends on the request (Digest's nonce)."""

    def __call__(self, connection: HTTPConnection) -> bool:
        """Whether the request carries the configured credential."""

    def challenge(self, connection: HTTPConnection) -> str:
        """The challenge of a 401 answer to this request."""


def constant_time_equal(given: str, expected: str) -> bool:
    """Whether two credentials are equal, compared in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer(token: str) -> Check:
    """``Authorization: Bearer <token>``."""
    expected = "Bearer " + token

    def check(connection: HTTPConnection) -> bool:
        return constant_time_equal(
            connection.headers.get("authorization", ""), expected
        )

    return check


def api_key(name: str, value: str, placement: str) -> Check:
    """An API key in a header or a query parameter."""

    def check(connection: HTTPConnection) -> bool:
        source = (
            connection.headers if placement == "header" else connection.query_params
        )
        return constant_time_equal(source.get(name, ""), value)

    return check


def basic(username: str, password: str) -> Check:
    """``Authorization: Basic base64(username:password)``; both parts compared."""

    def check(connection: HTTPConnection) -> bool:
        scheme, _, encoded = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, _, secret = decoded.partition(":")
        return constant_time_equal(user, username) & constant_time_equal(
            secret, password
        )

    return check


class RequireCredentials:
    """ASGI middleware answering 401 (with ``WWW-Authenticate``) to unauthenticated requests."""

    def __init__(self, app: ASGIApp, check: Check, challenge: str) -> None:
        self.app = app
        self.check = check
        self.challenge = challenge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass an authenticated request on; answer any other HTTP request 401."""
        connection = HTTPConnection(scope) if scope["type"] == "http" else None
        if connection is not None and not self.check(connection):
            challenge = self.challenge
            if isinstance(self.check, ChallengingCheck):
                challenge = self.check.challenge(connection)
            response = JSONResponse(
                problem(401, "Unauthorized", "valid credentials are required"),
                status_code=401,
                headers={"WWW-Authenticate": challenge},
                media_type="application/problem+json",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
