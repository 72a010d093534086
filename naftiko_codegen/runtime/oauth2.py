"""OAuth 2.1 resource server: JWT bearer tokens checked against the issuer's keys.

The authorization server's metadata (RFC 8414, else OpenID Connect Discovery) and
signing keys (JWKS) are fetched on first use and again when a token names an unknown key.
A token is accepted when its signature verifies with one of those keys (RS256 or ES256),
``iss`` is the configured issuer, ``aud`` contains the audience, ``exp`` has not passed
and it carries every required scope. Protected resource metadata (RFC 9728) is served
without a token.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import problem

ALGORITHMS = ("RS256", "ES256")
"""Signature algorithms accepted (asymmetric only: the key set is public)."""
LEEWAY = 30.0
"""Seconds of clock skew tolerated on ``exp``, ``nbf`` and ``iat``."""
REFRESH_AFTER = 60.0
"""Seconds before an unknown ``kid`` may trigger another key fetch."""
RETRY_AFTER_FAILURE = 5.0
"""Seconds before a failed metadata or key fetch is tried again."""


def well_known(uri: str, name: str) -> str:
    """``uri`` with ``/.well-known/<name>`` inserted before its path (RFC 8414, 9728)."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}/.well-known/{name}{parts.path.rstrip('/')}"


class TokenRejected(Exception):
    """A request whose token grants no access; ``error`` is the RFC 6750 error code."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class ServerUnavailable(Exception):
    """The authorization server's metadata or keys cannot be fetched."""


class KeySet:
    """The issuer's signing keys, fetched lazily (one fetch at a time)."""

    def __init__(self, issuer: str, timeout: httpx.Timeout) -> None:
        self.issuer = issuer
        self.timeout = timeout
        self.keys: dict[str, jwt.PyJWK] = {}
        self.next_fetch = 0.0
        self.lock = asyncio.Lock()

    async def find(self, kid: str | None) -> jwt.PyJWK | None:
        """The key ``kid`` names (the only key when ``kid`` is absent), fetching if due."""
        key = self._lookup(kid)
        if key is None and time.monotonic() >= self.next_fetch:
            async with self.lock:
                key = self._lookup(kid)
                if key is None and time.monotonic() >= self.next_fetch:
                    await self._fetch()
                    key = self._lookup(kid)
        if key is None and not self.keys:
            raise ServerUnavailable("no signing keys could be fetched")
        return key

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self.keys.values())) if len(self.keys) == 1 else None
        return self.keys.get(kid)

    async def _fetch(self) -> None:
        self.next_fetch = time.monotonic() + RETRY_AFTER_FAILURE
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout, trust_env=False, follow_redirects=False
            ) as client:
                answer = await client.get(
                    well_known(self.issuer, "oauth-authorization-server")
                )
                if answer.status_code == 404:  # OpenID Connect Discovery instead
                    discovery = (
                        self.issuer.rstrip("/") + "/.well-known/openid-configuration"
                    )
                    answer = await client.get(discovery)
                metadata = answer.raise_for_status().json()
                if (
                    not isinstance(metadata, dict)
                    or metadata.get("issuer") != self.issuer
                ):
                    raise ServerUnavailable("the metadata names another issuer")
                jwks = (
                    (await client.get(str(metadata["jwks_uri"])))
                    .raise_for_status()
                    .json()
                )
        except (httpx.HTTPError, ValueError, KeyError) as error:
            raise ServerUnavailable(type(error).__name__) from None
        keys: dict[str, jwt.PyJWK] = {}
        for entry in jwks.get("keys", []) if isinstance(jwks, dict) else []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key type or algorithm this server does not use
            if key.algorithm_name in ALGORITHMS:
                keys[str(entry.get("kid", ""))] = key
        self.keys = keys
        self.next_fetch = time.monotonic() + REFRESH_AFTER


def granted_scopes(claims: dict[str, Any]) -> set[str]:
    """Scopes of a token: ``scope`` (space-separated) or ``scp`` (list or string)."""
    granted: set[str] = set()
    for claim in ("scope", "scp"):
        value = claims.get(claim)
        if isinstance(value, str):
            granted.update(value.split())
        elif isinstance(value, list):
            granted.update(str(item) for item in value)
    return granted


def _quoted(text: str) -> str:
    """``text`` safe inside an RFC 7235 quoted string (printable ASCII, no ``"``/``\\``)."""
    return "".join(c for c in text if " " <= c <= "~" and c not in '"\\')


class OAuth2ResourceServer:
    """ASGI middleware: a valid bearer token or 401/403; metadata served to anyone."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        issuer: str,
        resource: str,
        audience: str | None,
        scopes: tuple[str, ...],
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self.keys = KeySet(issuer, httpx.Timeout(read_timeout, connect=connect_timeout))
        self.app = app
        self.issuer = issuer
        self.resource = resource
        self.audience = audience or resource
        self.scopes = scopes
        self.metadata_url = well_known(resource, "oauth-protected-resource")
        self.metadata_paths = {
            "/.well-known/oauth-protected-resource",
            urlsplit(self.metadata_url).path,
        }
        metadata: dict[str, Any] = {
            "resource": resource,
            "authorization_servers": [issuer],
            "bearer_methods_supported": ["header"],
        }
        if scopes:
            metadata["scopes_supported"] = list(scopes)
        self.metadata = json.dumps(metadata, separators=(",", ":")).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in self.metadata_paths:
            response: Response = Response(self.metadata, media_type="application/json")
            await response(scope, receive, send)
            return
        try:
            await self.verify(HTTPConnection(scope))
        except TokenRejected as rejected:
            response = self.rejection(rejected)
        except ServerUnavailable:
            response = JSONResponse(
                problem(
                    503,
                    "Service Unavailable",
                    "the authorization server's signing keys cannot be fetched",
                ),
                status_code=503,
                headers={"Retry-After": str(int(RETRY_AFTER_FAILURE))},
                media_type="application/problem+json",
            )
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    async def verify(self, connection: HTTPConnection) -> dict[str, Any]:
        """The token's claims; :class:`TokenRejected` when it grants no access."""
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise TokenRejected(401, "", "a bearer access token is required")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected(
                401, "invalid_token", "the token is not a JWT"
            ) from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenRejected(
                401, "invalid_token", "the token's algorithm is not accepted"
            )
        kid = header.get("kid")
        key = await self.keys.find(kid if isinstance(kid, str) else None)
        if key is None or key.algorithm_name != algorithm:
            raise TokenRejected(
                401, "invalid_token", "the token's signing key is unknown"
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRejected(401, "invalid_token", str(error)) from None
        missing = [name for name in self.scopes if name not in granted_scopes(claims)]
        if missing:
            raise TokenRejected(
                403, "insufficient_scope", "the token lacks scope " + " ".join(missing)
            )
        return claims

    def rejection(self, rejected: TokenRejected) -> Response:
        """401 (403 for missing scopes) with an RFC 6750 / RFC 9728 challenge."""
        challenge = f'Bearer resource_metadata="{_quoted(self.metadata_url)}"'
        if rejected.error:
            challenge += f', error="{rejected.error}"'
            challenge += f', error_description="{_quoted(rejected.description)}"'
        if self.scopes:
            challenge += f', scope="{_quoted(" ".join(self.scopes))}"'
        title = "Forbidden" if rejected.status == 403 else "Unauthorized"
        return JSONResponse(
            problem(rejected.status, title, rejected.description),
            status_code=rejected.status,
            headers={"WWW-Authenticate": challenge},
            media_type="application/problem+json",
        )
