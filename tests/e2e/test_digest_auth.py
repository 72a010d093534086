"""Exposed-side HTTP Digest authentication (RFC 7616) on REST and MCP, end to end.

The capability in tests/data/digest/ is compiled, pip-installed and started in front of a
recording upstream; clients are httpx's ``DigestAuth`` (REST), the MCP SDK client over an
``httpx2`` client with ``DigestAuth`` (MCP), and hand-computed MD5 / ``-sess`` answers.
Nonce expiry is checked in-process against the generated module with a patched clock.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from ..conftest import ServerProcess, build_into, pip_install, start_server
from ..proxy_support import RecordingUpstream, upstream_fixture

pytestmark = pytest.mark.e2e

SPEC = Path(__file__).resolve().parents[1] / "data" / "digest" / "digest-capability.yaml"
USER, PASSWORD = "ada", "pa:ss w0rd é"
CHALLENGE = re.compile(
    r'^Digest realm="naftiko", qop="auth", algorithm=SHA-256, '
    r'nonce="([0-9a-f]+\.[0-9a-f]{16}\.[0-9a-f]{64})", opaque="([0-9a-f]{32})"$'
)


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    yield from upstream_fixture()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("digest")
    result = build_into(SPEC, root / "out")
    generated = "".join(result.files.values())
    assert PASSWORD not in generated and "DIGEST_PASSWORD" in generated
    return pip_install(root / "out", root / "site"), result.capability.package


@pytest.fixture(scope="module")
def served(site: tuple[Path, str], upstream: RecordingUpstream) -> Iterator[ServerProcess]:
    path, package = site
    prefix = package.upper() + "_"
    env = {
        "PYTHONPATH": str(path),
        prefix + "ECHO_BASE_URL": upstream.url,
        prefix + "REST_PORT": "0",
        prefix + "MCP_PORT": "0",
        prefix + "CONTROL_PORT": "0",
        prefix + "LOG_LEVEL": "WARNING",
        "DIGEST_USER": USER,
        "DIGEST_PASSWORD": PASSWORD,
    }
    server = start_server([sys.executable, "-m", package, "all"], expected=3, env=env)
    try:
        yield server
    finally:
        server.stop()


def challenge_of(response: httpx.Response) -> tuple[str, str]:
    """The nonce and opaque of a 401's ``WWW-Authenticate`` header (checked exactly)."""
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    match = CHALLENGE.match(response.headers["www-authenticate"])
    assert match, response.headers["www-authenticate"]
    return match.group(1), match.group(2)


def answer(
    method: str,
    uri: str,
    nonce: str,
    opaque: str,
    *,
    algorithm: str,
    user: str = USER,
    password: str = PASSWORD,
    realm: str = "naftiko",
) -> str:
    """An ``Authorization: Digest`` header computed by hand (RFC 7616 §3.4)."""
    name = "md5" if algorithm.upper().startswith("MD5") else "sha256"

    def h(text: str) -> str:
        return hashlib.new(name, text.encode("utf-8")).hexdigest()

    cnonce, nc = "0a4f113b", "00000001"
    secret = h(f"{user}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        secret = h(f"{secret}:{nonce}:{cnonce}")
    response = h(f"{secret}:{nonce}:{nc}:{cnonce}:auth:{h(f'{method}:{uri}')}")
    return (
        f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
        f'algorithm={algorithm}, response="{response}", qop=auth, nc={nc}, '
        f'cnonce="{cnonce}", opaque="{opaque}"'
    )


def test_rest_challenge_is_rfc7616(served: ServerProcess, upstream: RecordingUpstream) -> None:
    upstream.reset()
    url = served.url("REST") + "/items/7"
    first = challenge_of(httpx.get(url, timeout=10))
    second = challenge_of(httpx.get(url, timeout=10))
    assert first[0] != second[0], "every challenge carries a fresh nonce"
    assert first[1] == second[1], "the opaque value is the process's own"
    assert upstream.requests == []


def test_rest_accepts_httpx_digest_auth(served: ServerProcess, upstream: RecordingUpstream) -> None:
    upstream.reset()
    url = served.url("REST") + "/items/7?x=1%202"
    response = httpx.get(url, auth=httpx.DigestAuth(USER, PASSWORD), timeout=10)
    assert response.status_code == 200, response.text
    request = upstream.only()
    assert request.path == "/items/7"
    assert request.header("authorization") is None  # the caller's credential stays here


@pytest.mark.parametrize(("user", "password"), [(USER, "wrong"), ("eve", PASSWORD)])
def test_rest_refuses_wrong_credentials(
    served: ServerProcess, upstream: RecordingUpstream, user: str, password: str
) -> None:
    upstream.reset()
    url = served.url("REST") + "/items/7"
    response = httpx.get(url, auth=httpx.DigestAuth(user, password), timeout=10)
    challenge_of(response)
    assert upstream.requests == []


@pytest.mark.parametrize("algorithm", ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"])
def test_rest_accepts_md5_and_sha256_answers(
    served: ServerProcess, upstream: RecordingUpstream, algorithm: str
) -> None:
    upstream.reset()
    base = served.url("REST")
    nonce, opaque = challenge_of(httpx.get(base + "/items/7", timeout=10))
    header = answer("GET", "/items/7", nonce, opaque, algorithm=algorithm)
    response = httpx.get(base + "/items/7", headers={"Authorization": header}, timeout=10)
    assert response.status_code == 200, response.text
    assert upstream.only().path == "/items/7"


def test_rest_refuses_tampered_or_misdirected_answers(
    served: ServerProcess, upstream: RecordingUpstream
) -> None:
    upstream.reset()
    base = served.url("REST")
    nonce, opaque = challenge_of(httpx.get(base + "/items/7", timeout=10))
    forged = nonce[:-1] + ("0" if nonce[-1] != "0" else "1")
    attempts = [
        answer("GET", "/items/7", forged, opaque, algorithm="SHA-256"),  # forged nonce
        answer("GET", "/items/8", nonce, opaque, algorithm="SHA-256"),  # another path
        answer("POST", "/items/7", nonce, opaque, algorithm="SHA-256"),  # another method
        answer("GET", "/items/7", nonce, "0" * 32, algorithm="SHA-256"),  # wrong opaque
        answer("GET", "/items/7", nonce, opaque, algorithm="SHA-256", realm="other"),
        answer("GET", "/items/7", nonce, opaque, algorithm="SHA-512"),  # not offered
        answer("GET", "/items/7", nonce, opaque, algorithm="SHA-256").replace("qop=auth", ""),
        "Basic " + "YWRhOnBhOnNzIHcwcmQ=",
    ]
    for header in attempts:
        response = httpx.get(base + "/items/7", headers={"Authorization": header}, timeout=10)
        challenge_of(response)
    assert upstream.requests == []


def test_mcp_requires_digest_credentials(
    served: ServerProcess, upstream: RecordingUpstream
) -> None:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    upstream.reset()
    url = served.url("MCP") + "/mcp"
    challenge_of(httpx.post(url, json={}, timeout=10))

    async def run() -> Any:
        with anyio.fail_after(30):
            auth = httpx2.DigestAuth(USER, PASSWORD)
            async with httpx2.AsyncClient(auth=auth, timeout=30) as http:
                async with Client(streamable_http_client(url, http_client=http)) as client:
                    return await client.call_tool("get-item", {"id": "7"})

    result = anyio.run(run)
    assert not result.is_error, result.content
    assert upstream.only().path == "/items/7"


def test_nonces_expire_and_are_reported_stale(
    site: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, package = site
    monkeypatch.syspath_prepend(str(path))
    auth = importlib.import_module(package + ".digest")
    check = auth.digest(USER, PASSWORD)
    now = 1_800_000_000.0
    monkeypatch.setattr(auth.time, "time", lambda: now)
    nonce = check.nonce()
    assert check.nonce_state(nonce) == "valid"
    now += auth.NONCE_LIFETIME
    assert check.nonce_state(nonce) == "valid"
    now += 1
    assert check.nonce_state(nonce) == "stale"
    from starlette.requests import HTTPConnection

    header = f'Digest username="{USER}", nonce="{nonce}"'.encode()
    scope = {"type": "http", "method": "GET", "headers": [(b"authorization", header)]}
    challenge = check.challenge(HTTPConnection(scope))
    assert challenge.endswith(", stale=true") and nonce not in challenge
    assert check(HTTPConnection(scope)) is False
    assert check.nonce_state(nonce.replace(".", "x", 1)) == "invalid"
    assert check.nonce_state("é.a.b") == "invalid"
    assert auth.digest_params('Digest username="a\\"b", nc=00000001, qop=auth') == {
        "username": 'a"b',
        "nc": "00000001",
        "qop": "auth",
    }


# --- control port: digest and /traces ------------------------------------------------------

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")


def traces(served: ServerProcess) -> list[dict[str, Any]]:
    response = httpx.get(
        served.url("Control") + "/traces", auth=httpx.DigestAuth(USER, PASSWORD), timeout=10
    )
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["traces"]
    return result


def test_control_port_requires_digest(served: ServerProcess) -> None:
    challenge_of(httpx.get(served.url("Control") + "/traces", timeout=10))
    challenge_of(httpx.get(served.url("Control") + "/health/live", timeout=10))
    live = httpx.get(
        served.url("Control") + "/health/live", auth=httpx.DigestAuth(USER, PASSWORD), timeout=10
    )
    assert live.json() == {"status": "UP"}


def test_traces_continue_the_callers_trace_upstream(
    served: ServerProcess, upstream: RecordingUpstream
) -> None:
    upstream.reset()
    trace_id, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    response = httpx.get(
        served.url("REST") + "/items/7",
        auth=httpx.DigestAuth(USER, PASSWORD),
        headers={"traceparent": f"00-{trace_id}-{parent}-01"},
        timeout=10,
    )
    assert response.status_code == 200
    sent = TRACEPARENT.match(upstream.only().header("traceparent") or "")
    assert sent is not None and sent.group(1) == trace_id
    latest = traces(served)[0]
    assert latest["traceId"] == trace_id
    assert latest["parentSpanId"] == parent
    assert latest["spanId"] == sent.group(2)  # the upstream call's parent is our span
    assert (latest["adapter"], latest["operation"]) == ("digest-rest", "get-item")
    assert (latest["status"], latest["httpStatus"]) == ("ok", 200)
    assert latest["durationMs"] > 0
    assert set(latest) == {
        "traceId",
        "spanId",
        "parentSpanId",
        "adapter",
        "operation",
        "status",
        "httpStatus",
        "durationMs",
        "startTime",
    }


def test_traces_ring_buffer_keeps_the_newest(
    served: ServerProcess, upstream: RecordingUpstream
) -> None:
    upstream.reset()
    upstream.respond(status=404, body='{"message": "missing"}')
    with httpx.Client(auth=httpx.DigestAuth(USER, PASSWORD), timeout=10) as client:
        for index in range(12):
            client.get(served.url("REST") + f"/items/{index}")
    kept = traces(served)
    assert len(kept) == 10
    assert {(t["status"], t["httpStatus"]) for t in kept} == {("error", 404)}
    assert len({t["traceId"] for t in kept}) == 10
    sent = [TRACEPARENT.match(r.header("traceparent") or "") for r in upstream.requests]
    assert [m.group(1) for m in sent if m][-10:] == [t["traceId"] for t in reversed(kept)]


def test_mcp_tool_calls_are_traced(served: ServerProcess, upstream: RecordingUpstream) -> None:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    upstream.reset()
    trace_id, parent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"

    async def run() -> Any:
        with anyio.fail_after(30):
            auth = httpx2.DigestAuth(USER, PASSWORD)
            headers = {"traceparent": f"00-{trace_id}-{parent}-01"}
            async with httpx2.AsyncClient(auth=auth, headers=headers, timeout=30) as http:
                url = served.url("MCP") + "/mcp"
                async with Client(streamable_http_client(url, http_client=http)) as client:
                    return await client.call_tool("get-item", {"id": "7"})

    assert not anyio.run(run).is_error
    latest = traces(served)[0]
    assert (latest["adapter"], latest["operation"], latest["status"]) == (
        "digest-mcp",
        "get-item",
        "ok",
    )
    assert (latest["traceId"], latest["parentSpanId"]) == (trace_id, parent)
    assert "httpStatus" not in latest
    sent = TRACEPARENT.match(upstream.only().header("traceparent") or "")
    assert sent is not None and sent.groups() == (trace_id, latest["spanId"])


def test_otlp_export_is_refused_with_a_located_warning() -> None:
    from naftiko_codegen.diagnostics import Severity
    from naftiko_codegen.pipeline import compile_spec

    from ..conftest import CORPUS

    folder = CORPUS / "naftiko-framework" / "observability"
    spec = folder / "observability-capability.yaml"
    result = compile_spec(spec)
    [warning] = result.diagnostics
    assert (warning.code, warning.severity) == ("NG211", Severity.WARNING)
    assert warning.json_path == "$.capability.exposes[0].observability.exporters.otlp"
    assert warning.message.startswith("OTLP export is not generated")
    telemetry = result.files[result.capability.package + "/telemetry.py"]
    assert 'Tracer("b3", sampling=0.5,' in telemetry
