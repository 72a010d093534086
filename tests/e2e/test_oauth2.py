"""Exposed ``oauth2``: the generated adapters are OAuth 2.1 resource servers.

A fake authorization server on loopback publishes RFC 8414 metadata and a JWKS with an
RSA (RS256) and an EC (ES256) key generated for the test session; tokens are signed with
PyJWT. The generated REST and MCP servers must accept exactly the tokens whose
signature, ``iss``, ``aud``, ``exp`` and scopes are right, answer 401/403 with an RFC 6750
/ RFC 9728 challenge otherwise, and serve protected resource metadata without a token.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from mcp import Client

from naftiko_codegen.diagnostics import CompilationFailed
from naftiko_codegen.pipeline import compile_spec

from ..conftest import ServerProcess, build_into, pip_install, start_server
from ..proxy_support import RecordingUpstream, upstream_fixture

SPEC = Path(__file__).resolve().parents[1] / "data" / "oauth2" / "oauth2-capability.yaml"
TIMEOUT = 10.0
REST_RESOURCE = "https://items.example.com/api"
REST_METADATA = "https://items.example.com/.well-known/oauth-protected-resource/api"


class FakeAuthorizationServer:
    """RFC 8414 metadata and a JWKS on 127.0.0.1; signs tokens with its private keys."""

    def __init__(self, *, discovery: str = "oauth-authorization-server") -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        keys = [
            {**json.loads(RSAAlgorithm.to_jwk(self.rsa.public_key())), "kid": "rsa-1"},
            {**json.loads(ECAlgorithm.to_jwk(self.ec.public_key())), "kid": "ec-1"},
        ]
        keys[0].update(alg="RS256", use="sig")
        keys[1].update(alg="ES256", use="sig")
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.hits.append(self.path)
                body: dict[str, Any]
                if self.path == f"/.well-known/{discovery}":
                    body = {"issuer": server.url, "jwks_uri": server.url + "/jwks"}
                elif self.path == "/jwks":
                    body = {"keys": keys}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def token(
        self,
        *,
        audience: str = REST_RESOURCE,
        scope: str | None = "items:read",
        algorithm: str = "RS256",
        kid: str | None = "rsa-1",
        lifetime: float = 300,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.url,
            "sub": "client-1",
            "aud": audience,
            "iat": now,
            "exp": now + lifetime,
        }
        if scope is not None:
            payload["scope"] = scope
        payload.update(claims)
        key: Any = {"RS256": self.rsa, "ES256": self.ec}.get(
            algorithm, "a-shared-secret-of-at-least-32-bytes!"
        )
        headers = {"kid": kid} if kid else None
        return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


@pytest.fixture(scope="module")
def authorization_server() -> Iterator[FakeAuthorizationServer]:
    server = FakeAuthorizationServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    yield from upstream_fixture()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = tmp_path_factory.mktemp("oauth2")
    result = build_into(SPEC, root / "out")
    return pip_install(root / "out", root / "site"), result.capability


def start(site: tuple[Path, Any], upstream: str, issuer: str) -> ServerProcess:
    path, cap = site
    prefix = cap.env_prefix + "_"
    env = {
        "PYTHONPATH": str(path),
        prefix + "LOG_LEVEL": "WARNING",
        prefix + "ITEMS_BASE_URL": upstream,
        prefix + "REST_PORT": "0",
        prefix + "MCP_PORT": "0",
        prefix + "REST_OAUTH2_ISSUER": issuer,
        prefix + "MCP_OAUTH2_ISSUER": issuer,
    }
    return start_server([sys.executable, "-m", cap.package, "all"], expected=2, env=env)


@pytest.fixture(scope="module")
def served(
    site: tuple[Path, Any],
    upstream: RecordingUpstream,
    authorization_server: FakeAuthorizationServer,
) -> Iterator[ServerProcess]:
    server = start(site, upstream.url, authorization_server.url)
    try:
        yield server
    finally:
        server.stop()


def get_item(served: ServerProcess, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(served.url("REST") + "/items/7", headers=headers, timeout=TIMEOUT)


def test_valid_token_is_accepted_and_never_forwarded(
    served: ServerProcess,
    upstream: RecordingUpstream,
    authorization_server: FakeAuthorizationServer,
) -> None:
    upstream.reset()
    token = authorization_server.token()
    response = get_item(served, token)
    assert response.status_code == 200, response.text
    assert response.content == b'{"ok":true}'
    request = upstream.take()
    assert request.path == "/items/7"
    assert request.header("authorization") is None
    for _ in range(3):  # keys are cached: one metadata and one JWKS fetch in all
        assert get_item(served, token).status_code == 200
    assert authorization_server.hits.count("/jwks") == 1
    assert authorization_server.hits.count("/.well-known/oauth-authorization-server") == 1


def test_missing_token_gets_the_resource_metadata_challenge(
    served: ServerProcess, upstream: RecordingUpstream
) -> None:
    upstream.reset()
    response = get_item(served, None)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == (
        f'Bearer resource_metadata="{REST_METADATA}", scope="items:read"'
    )
    assert response.json()["detail"] == "a bearer access token is required"
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("claims", "description"),
    [
        ({"lifetime": -600}, "Signature has expired"),
        ({"audience": "https://elsewhere.example.com"}, "Audience doesn't match"),
        ({"iss": "https://impostor.example.com"}, "Invalid issuer"),
        ({"algorithm": "HS256", "kid": "rsa-1"}, "the token's algorithm is not accepted"),
        ({"kid": "unknown"}, "the token's signing key is unknown"),
        ({"algorithm": "ES256", "kid": "rsa-1"}, "the token's signing key is unknown"),
    ],
)
def test_invalid_tokens_are_401(
    served: ServerProcess,
    upstream: RecordingUpstream,
    authorization_server: FakeAuthorizationServer,
    claims: dict[str, Any],
    description: str,
) -> None:
    upstream.reset()
    response = get_item(served, authorization_server.token(**claims))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        f'Bearer resource_metadata="{REST_METADATA}", error="invalid_token", '
        f'error_description="{description}", scope="items:read"'
    )
    assert upstream.requests == []


def test_token_signed_by_another_key_is_401(
    served: ServerProcess, authorization_server: FakeAuthorizationServer
) -> None:
    forged = jwt.encode(
        {"iss": authorization_server.url, "aud": REST_RESOURCE, "exp": time.time() + 300},
        authorization_server.other,
        algorithm="RS256",
        headers={"kid": "rsa-1"},
    )
    response = get_item(served, forged)
    assert response.status_code == 401
    assert 'error_description="Signature verification failed"' in (
        response.headers["www-authenticate"]
    )
    assert get_item(served, "not-a-jwt").status_code == 401


def test_missing_scope_is_403(
    served: ServerProcess, authorization_server: FakeAuthorizationServer
) -> None:
    response = get_item(served, authorization_server.token(scope="items:write"))
    assert response.status_code == 403
    assert response.headers["www-authenticate"] == (
        f'Bearer resource_metadata="{REST_METADATA}", error="insufficient_scope", '
        'error_description="the token lacks scope items:read", scope="items:read"'
    )
    # ``scp`` (a list) is accepted as well as ``scope``.
    listed = authorization_server.token(scope=None, scp=["items:read"])
    assert get_item(served, listed).status_code == 200


def test_protected_resource_metadata_needs_no_token(
    served: ServerProcess, authorization_server: FakeAuthorizationServer
) -> None:
    expected = {
        "resource": REST_RESOURCE,
        "authorization_servers": [authorization_server.url],
        "bearer_methods_supported": ["header"],
        "scopes_supported": ["items:read"],
    }
    for path in (
        "/.well-known/oauth-protected-resource/api",
        "/.well-known/oauth-protected-resource",
    ):
        response = httpx.get(served.url("REST") + path, timeout=TIMEOUT)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json() == expected
    mcp = httpx.get(served.url("MCP") + "/.well-known/oauth-protected-resource/mcp")
    assert mcp.json() == {
        "resource": "https://items.example.com/mcp",
        "authorization_servers": [authorization_server.url],
        "bearer_methods_supported": ["header"],
    }


def test_mcp_accepts_an_es256_token_for_its_audience(
    served: ServerProcess,
    upstream: RecordingUpstream,
    authorization_server: FakeAuthorizationServer,
) -> None:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    upstream.reset()
    url = served.url("MCP") + "/mcp"
    missing = httpx.post(url, json={}, timeout=TIMEOUT)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == (
        'Bearer resource_metadata="https://items.example.com/.well-known/'
        'oauth-protected-resource/mcp"'
    )
    # The audience is `items-mcp`, not the REST resource.
    wrong = authorization_server.token(algorithm="ES256", kid="ec-1")
    headers = {"Authorization": f"Bearer {wrong}"}
    assert httpx.post(url, json={}, headers=headers, timeout=TIMEOUT).status_code == 401
    token = authorization_server.token(audience="items-mcp", algorithm="ES256", kid="ec-1")

    async def run() -> Any:
        with anyio.fail_after(30):
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx2.AsyncClient(headers=headers, timeout=TIMEOUT) as http:
                async with Client(streamable_http_client(url, http_client=http)) as client:
                    return await client.call_tool("get-item", {"id": "7"})

    result = anyio.run(run)
    assert not result.is_error, result.content
    assert result.structured_content == {"ok": True}
    assert upstream.only().path == "/items/7"
    assert upstream.only().header("authorization") is None


def test_unreachable_authorization_server_is_503(
    site: tuple[Path, Any],
    upstream: RecordingUpstream,
    authorization_server: FakeAuthorizationServer,
) -> None:
    server = start(site, upstream.url, "http://127.0.0.1:9")
    try:
        response = get_item(server, authorization_server.token())
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
    finally:
        server.stop()


def test_openid_connect_discovery_is_the_fallback(
    site: tuple[Path, Any], upstream: RecordingUpstream
) -> None:
    oidc = FakeAuthorizationServer(discovery="openid-configuration")
    server = start(site, upstream.url, oidc.url)
    try:
        upstream.reset()
        assert get_item(server, oidc.token()).status_code == 200
        assert oidc.hits == [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
            "/jwks",
        ]
    finally:
        server.stop()
        oidc.close()


# --------------------------------------------------------------------------- build time


def test_generated_package_depends_on_pyjwt_only_with_oauth2() -> None:
    result = compile_spec(SPEC)
    assert '"PyJWT[crypto]>=2.10,<3",' in result.files["pyproject.toml"]
    package = result.capability.package
    assert f"{package}/oauth2.py" in result.files
    assert f"{package}/auth.py" not in result.files  # no other scheme is used
    plain = compile_spec(Path(__file__).resolve().parents[1] / "data" / "auth-capability.yaml")
    assert "PyJWT" not in plain.files["pyproject.toml"]
    assert not any(name.endswith("/oauth2.py") for name in plain.files)


def test_introspection_and_relative_uris_are_refused(tmp_path: Path) -> None:
    text = SPEC.read_text()
    text = text.replace("      tokenValidation: jwks", "      tokenValidation: introspection")
    text = text.replace("resource: https://items.example.com/api", "resource: /api")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    with pytest.raises(CompilationFailed) as caught:
        compile_spec(spec)
    found = [(d.line, d.code, d.message) for d in caught.value.diagnostics]
    assert found == [
        (23, "NG211", "resource must be an absolute http(s) URI, not '/api'"),
        (44, "NG211", "`introspection` token validation is not generated; use `jwks`"),
    ]
