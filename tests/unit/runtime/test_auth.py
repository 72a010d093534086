"""Caller authentication: the checks, the 401 middleware, HTTP Digest (auth, digest)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time

import httpx
import pytest
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from naftiko_codegen.runtime import digest as digest_module
from naftiko_codegen.runtime.auth import Check, RequireCredentials, api_key, basic, bearer
from naftiko_codegen.runtime.digest import DIGEST_REALM, DigestCheck, digest, digest_params


def connection(
    headers: dict[str, str] | None = None, query: str = "", path: str = "/x"
) -> HTTPConnection:
    return HTTPConnection(
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        }
    )


def test_bearer() -> None:
    check = bearer("t0ken")
    assert check(connection({"Authorization": "Bearer t0ken"}))
    assert not check(connection({"Authorization": "Bearer t0ke"}))
    assert not check(connection())


def test_api_key_in_a_header_or_the_query() -> None:
    assert api_key("X-Key", "k", "header")(connection({"x-key": "k"}))
    assert not api_key("X-Key", "k", "header")(connection(query="X-Key=k"))
    assert api_key("key", "k", "query")(connection(query="key=k"))


def test_basic_compares_both_parts() -> None:
    check = basic("ann", "p:w")

    def auth(text: str) -> HTTPConnection:
        return connection({"Authorization": "Basic " + base64.b64encode(text.encode()).decode()})

    assert check(auth("ann:p:w"))
    assert not check(auth("ann:p"))
    assert not check(auth("bob:p:w"))
    assert not check(connection({"Authorization": "Basic %%%"}))
    assert not check(connection({"Authorization": "Bearer x"}))


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def call(check: Check, headers: dict[str, str] | None = None, path: str = "/x") -> httpx.Response:
    app = RequireCredentials(hello, check=check, challenge='Bearer realm="naftiko"')

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(go())


def test_the_middleware_answers_401_problem_documents() -> None:
    refused = call(bearer("t"))
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="naftiko"'
    assert refused.headers["content-type"] == "application/problem+json"
    assert json.loads(refused.content)["title"] == "Unauthorized"
    assert call(bearer("t"), {"Authorization": "Bearer t"}).text == "hello"


def answer(
    challenge: str,
    *,
    algorithm: str = "SHA-256",
    password: str = "pw",
    uri: str = "/x",
    cnonce: str = "c0ffee",
    nc: str = "00000001",
) -> str:
    """The ``Authorization: Digest`` header a client computes for ``challenge``."""
    params = digest_params(challenge)
    name = "md5" if algorithm.startswith("MD5") else "sha256"

    def h(text: str) -> str:
        return hashlib.new(name, text.encode()).hexdigest()

    secret = h(f"ann:{params['realm']}:{password}")
    if algorithm.endswith("-SESS"):
        secret = h(f"{secret}:{params['nonce']}:{cnonce}")
    response = h(f"{secret}:{params['nonce']}:{nc}:{cnonce}:auth:{h('GET:' + uri)}")
    return (
        f'Digest username="ann", realm="{params["realm"]}", nonce="{params["nonce"]}", '
        f'uri="{uri}", algorithm={algorithm}, response="{response}", qop=auth, nc={nc}, '
        f'cnonce="{cnonce}", opaque="{params["opaque"]}"'
    )


def test_digest_challenge_then_a_correct_answer() -> None:
    refused = call(digest("ann", "pw"))
    assert refused.status_code == 401
    challenge = refused.headers["www-authenticate"]
    params = digest_params(challenge)
    assert params["realm"] == DIGEST_REALM and params["qop"] == "auth"
    for algorithm in ("SHA-256", "MD5", "MD5-SESS", "SHA-256-SESS"):
        header = answer(challenge, algorithm=algorithm)
        assert call(digest("ann", "pw"), {"Authorization": header}).text == "hello", algorithm


@pytest.mark.parametrize(
    "wrong",
    [{"password": "other"}, {"uri": "/elsewhere"}, {"algorithm": "SHA-512"}],
    ids=["password", "uri", "algorithm"],
)
def test_digest_refuses_wrong_answers(wrong: dict[str, str]) -> None:
    challenge = call(digest("ann", "pw")).headers["www-authenticate"]
    header = answer(challenge, **wrong)
    assert call(digest("ann", "pw"), {"Authorization": header}).status_code == 401


def test_each_401_carries_a_fresh_nonce_and_an_expired_one_is_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check = DigestCheck("ann", "pw")
    first, second = check.nonce(), check.nonce()
    assert first != second
    assert check.nonce_state(first) == "valid"
    tampered = first[:-1] + ("1" if first.endswith("0") else "0")
    assert check.nonce_state(tampered) == "invalid"
    assert check.nonce_state("forged.nonce.value") == "invalid"
    later = time.time() + digest_module.NONCE_LIFETIME + 10
    monkeypatch.setattr(digest_module.time, "time", lambda: later)
    assert check.nonce_state(first) == "stale"
    stale = connection({"Authorization": f'Digest nonce="{first}"'})
    assert check.challenge(stale).endswith(", stale=true")


def test_digest_params_read_quoted_and_bare_values() -> None:
    header = r'Digest username="a\"b", qop=auth, nc=00000001, realm="r, s"'
    assert digest_params(header) == {
        "username": 'a"b',
        "qop": "auth",
        "nc": "00000001",
        "realm": "r, s",
    }
    assert digest_params("Basic abc") == {}
