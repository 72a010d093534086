"""Exposed-side ``oauth2``: the adapter is an OAuth 2.1 resource server.

Only ``tokenValidation: jwks`` is generated: access tokens are JWTs whose signature is
checked against the authorization server's published keys. Token introspection
(RFC 7662) would need client credentials the schema cannot express, so it is refused.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from .. import ir


def oauth2_problems(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(field, message)`` for every setting that cannot be generated."""
    problems: list[tuple[str, str]] = []
    if spec.get("tokenValidation", "jwks") != "jwks":
        problems.append(
            (
                "tokenValidation",
                "`introspection` token validation is not generated; use `jwks`",
            )
        )
    for field in ("authorizationServerUri", "resource"):
        value = str(spec.get(field) or "")
        parts = urllib.parse.urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or "{" in value:
            problems.append((field, f"{field} must be an absolute http(s) URI, not {value!r}"))
        elif parts.query or parts.fragment:
            problems.append((field, f"{field} cannot have a query or fragment"))
    return problems


def lower_oauth2(spec: Mapping[str, Any]) -> ir.OAuth2:
    """The resource server's settings (an empty ``audience``: the configured resource)."""
    resource = str(spec["resource"])
    return ir.OAuth2(
        issuer=str(spec["authorizationServerUri"]),
        resource=resource,
        audience=str(spec.get("audience") or ""),
        scopes=tuple(dict.fromkeys(str(scope) for scope in spec.get("scopes", []))),
    )
