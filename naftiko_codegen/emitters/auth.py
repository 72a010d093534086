"""The authentication checks written into adapter modules (credentials, OAuth 2, challenges)."""

from __future__ import annotations

from .. import ir
from ..pylayout import ident, layout, py
from .expressions import Emitter

_CHECKS = {"bearer": "bearer", "apikey": "api_key", "basic": "basic", "digest": "digest"}


def auth_check(auth: ir.Authentication, emit: Emitter) -> str:
    """``bearer(...)``/``api_key(...)``/``basic(...)`` over the configured secrets."""

    def value(source: ir.ValueSource | None) -> str:
        return emit.value(source) if source is not None else "''"

    if auth.type == "bearer":
        arguments = [value(auth.token)]
    elif auth.type == "apikey":
        arguments = [py(auth.key), value(auth.token), py(auth.placement)]
    else:
        arguments = [value(auth.username), value(auth.password)]
    return emit.call(_CHECKS[auth.type], *arguments)


def auth_middleware(
    adapter: ir.RestAdapter | ir.McpAdapter | ir.SkillAdapter, emit: Emitter
) -> str:
    """The ``app.add_middleware(...)`` statement that makes callers of a protected adapter
    authenticate: an OAuth 2 resource server, else a credentials check (its first line
    unindented, for a template line at 4 spaces)."""
    assert adapter.authentication is not None
    if adapter.authentication.oauth2 is not None:
        return oauth2_middleware(adapter, emit)
    return credentials_middleware(adapter.authentication, emit)


def credentials_middleware(auth: ir.Authentication, emit: Emitter) -> str:
    """``app.add_middleware(RequireCredentials, check=..., challenge=...)`` for ``auth``,
    its first line unindented, for a template line at 4 spaces."""
    emit.used.add("RequireCredentials")
    return "\n".join(
        [
            "app.add_middleware(",
            "        RequireCredentials,",
            layout(auth_check(auth, emit), 8, "check=", ","),
            f"        challenge={py(auth_challenge(auth))},",
            "    )",
        ]
    )


def oauth2_middleware(
    adapter: ir.RestAdapter | ir.McpAdapter | ir.SkillAdapter, emit: Emitter
) -> str:
    """``app.add_middleware(OAuth2ResourceServer, ...)`` for an oauth2-protected adapter."""
    assert adapter.authentication is not None and adapter.authentication.oauth2 is not None
    emit.used.add("OAuth2ResourceServer")
    config = adapter.authentication.oauth2
    key = ident(adapter.key)
    arguments = [
        "OAuth2ResourceServer",
        f"issuer=settings.{key}_oauth2_issuer",
        f"resource=settings.{key}_oauth2_resource",
        f"audience={py(config.audience or None)}",
        f"scopes={py(config.scopes)}",
        "connect_timeout=settings.connect_timeout",
        "read_timeout=settings.read_timeout",
    ]
    return layout(f"app.add_middleware({', '.join(arguments)})", 4).lstrip()


def auth_challenge(auth: ir.Authentication) -> str:
    """The ``WWW-Authenticate`` challenge of a scheme."""
    if auth.type == "basic":
        return 'Basic realm="naftiko", charset="UTF-8"'
    if auth.type == "bearer":
        return 'Bearer realm="naftiko"'
    if auth.type == "digest":  # each 401 gets a fresh nonce from the check itself
        return 'Digest realm="naftiko", qop="auth"'
    return f'ApiKey realm="naftiko", name="{auth.key}"'
