"""The authentication checks written into adapter modules (credentials, OAuth 2, challenges)."""

from __future__ import annotations

from .. import ir
from ..pylayout import ident, layout, py
from .expressions import value_expr

_CHECKS = {"bearer": "bearer", "apikey": "api_key", "basic": "basic", "digest": "digest"}


def auth_imports(auth: ir.Authentication | None) -> list[str]:
    """The runtime names an adapter protected by ``auth`` imports (none when unprotected)."""
    if auth is None:
        return []
    if auth.oauth2 is not None:
        return ["OAuth2ResourceServer"]
    return ["RequireCredentials", _CHECKS[auth.type]]


def auth_check(auth: ir.Authentication) -> str:
    """``bearer(...)``/``api_key(...)``/``basic(...)`` over the configured secrets."""

    def value(source: ir.ValueSource | None) -> str:
        return value_expr(source) if source is not None else "''"

    if auth.type == "bearer":
        return f"bearer({value(auth.token)})"
    if auth.type == "apikey":
        return f"api_key({py(auth.key)}, {value(auth.token)}, {py(auth.placement)})"
    if auth.type == "digest":
        return f"digest({value(auth.username)}, {value(auth.password)})"
    return f"basic({value(auth.username)}, {value(auth.password)})"


def auth_middleware(adapter: ir.RestAdapter | ir.McpAdapter | ir.SkillAdapter) -> str:
    """The ``app.add_middleware(...)`` statement that makes callers of a protected adapter
    authenticate: an OAuth 2 resource server, else a credentials check (its first line
    unindented, for a template line at 4 spaces)."""
    assert adapter.authentication is not None
    if adapter.authentication.oauth2 is not None:
        return oauth2_middleware(adapter)
    return credentials_middleware(adapter.authentication)


def credentials_middleware(auth: ir.Authentication) -> str:
    """``app.add_middleware(RequireCredentials, check=..., challenge=...)`` for ``auth``,
    its first line unindented, for a template line at 4 spaces."""
    return "\n".join(
        [
            "app.add_middleware(",
            "        RequireCredentials,",
            layout(auth_check(auth), 8, "check=", ","),
            f"        challenge={py(auth_challenge(auth))},",
            "    )",
        ]
    )


def oauth2_middleware(adapter: ir.RestAdapter | ir.McpAdapter | ir.SkillAdapter) -> str:
    """``app.add_middleware(OAuth2ResourceServer, ...)`` for an oauth2-protected adapter."""
    assert adapter.authentication is not None and adapter.authentication.oauth2 is not None
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
