"""Generated servers under hostile clients and careless operators, over real sockets.

Limits (body size, JSON depth, string length, empty path segments) answered on both
adapters in their own language, never a 5xx; ``Allow`` on every 405; the OpenAPI document
declaring what the server can answer; secrets and credential query values masked in every
log line (uvicorn's access log too); Host/Origin checks kept when listening beyond loopback;
start-up errors as one line with a documented exit code; an abandoned REST request cancels
its upstream call. The ``servers`` fixture (tests/proxy_support.py) checks after each test
that every server is alive and that no log line holds a configured secret.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

pytest.register_assert_rewrite("tests.proxy_support")

from ..proxy_support import (  # noqa: E402
    GITHUB_TOKEN,
    Installed,
    RecordingUpstream,
    Running,
    raw_http,
    run_to_exit,
    start_logged_server,
)
from .test_proxy_security import GITHUB_IDS, mcp_calls, text_of  # noqa: E402

pytest_plugins = ["tests.proxy_support"]
pytestmark = pytest.mark.e2e

MILESTONES = "/v1/repos/o/r/milestones"
MCP_HEADERS = {"accept": "application/json, text/event-stream"}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


# --- limits ---------------------------------------------------------------------------------


def test_a_deep_json_body_is_a_400_with_a_message_on_both_adapters(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    github = servers["github"]
    rest = httpx.post(github.rest + MILESTONES, content=nested(1000), timeout=30)
    assert rest.status_code == 400
    assert rest.headers["content-type"] == "application/problem+json"
    assert "nested deeper than 64 levels" in rest.json()["detail"]
    assert "_MAX_JSON_DEPTH" in rest.json()["detail"]
    envelope = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":' + nested(600) + b"}"
    mcp = httpx.post(github.mcp, content=envelope, headers=MCP_HEADERS, timeout=30)
    assert mcp.status_code == 400
    assert "nested deeper than 64 levels" in mcp.json()["error"]["message"]
    assert upstream.requests == []
    # under the limit, the body goes upstream unchanged
    body = b'{"title": ' + nested(50) + b"}"
    assert httpx.post(github.rest + MILESTONES, content=body).status_code == 200
    assert upstream.take().body == body
    assert "Traceback" not in github.server.log()


def test_a_large_body_is_a_413_on_both_adapters(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    github = servers["github"]
    big = b'{"title": "' + b"x" * (1024 * 1024) + b'"}'
    rest = httpx.post(github.rest + MILESTONES, content=big, timeout=30)
    assert rest.status_code == 413
    assert "larger than 1048576 bytes" in rest.json()["detail"]
    mcp = httpx.post(github.mcp, content=big, headers=MCP_HEADERS, timeout=30)
    assert mcp.status_code == 413
    assert "_MAX_BODY_BYTES" in mcp.json()["error"]["message"]
    assert upstream.requests == []


def test_long_strings_are_refused_locally(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    github = servers["github"]
    long_text = "x" * 70_000
    request = f"GET /v1/repos/{long_text}/r/milestones/1 HTTP/1.1\r\n"
    request += "Host: a\r\nConnection: close\r\n\r\n"
    status, _, body = raw_http(port_of(github.rest), request.encode())
    # httptools refuses a request line over 64 KiB itself (400) before the application sees
    # it; under h11, the pure-Python fallback, the segment reaches our limit (414)
    if importlib.util.find_spec("httptools") is not None:
        assert status == 400
    else:
        assert status == 414
        assert "_MAX_STRING_LENGTH" in json.loads(body)["detail"]
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call"}
    call["params"] = {"name": "github-get-milestone", "arguments": {"owner": long_text}}
    mcp = httpx.post(github.mcp, json=call, headers=MCP_HEADERS, timeout=30)
    assert mcp.status_code == 400
    assert "longer than 65536 characters" in mcp.json()["error"]["message"]
    # under the limit but too long for any URL once percent-encoded: a tool error
    (result,) = mcp_calls(github, [("github-get-milestone", {**GITHUB_IDS, "owner": "é" * 30_000})])
    assert result.is_error
    assert "cannot be sent upstream" in text_of(result)
    assert upstream.requests == []
    assert "Traceback" not in github.server.log()


def test_empty_path_arguments_are_refused_locally(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    github = servers["github"]
    (result,) = mcp_calls(github, [("github-get-milestone", {**GITHUB_IDS, "owner": ""})])
    assert result.is_error
    assert "owner" in text_of(result)
    assert httpx.get(github.rest + "/v1/repos//r/milestones/1").status_code == 404
    assert upstream.requests == []


def test_path_arguments_declare_min_length(servers: dict[str, Running]) -> None:
    github = servers["github"]
    document = httpx.get(github.rest + "/openapi.json").json()
    path_parameters = [
        parameter
        for methods in document["paths"].values()
        for operation in methods.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert path_parameters
    assert all(parameter["schema"]["minLength"] == 1 for parameter in path_parameters)


# --- 405 and the OpenAPI document -----------------------------------------------------------


def test_every_405_names_the_allowed_methods(servers: dict[str, Running]) -> None:
    github = servers["github"]
    rest = httpx.request("TRACE", github.rest + MILESTONES + "/1")
    assert rest.status_code == 405
    assert set(rest.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}
    assert rest.headers["content-type"] == "application/problem+json"
    mcp = httpx.put(github.mcp, headers=MCP_HEADERS)
    assert mcp.status_code == 405
    assert "POST" in mcp.headers["allow"]


def test_the_openapi_document_declares_every_answer(servers: dict[str, Running]) -> None:
    document = httpx.get(servers["github"].rest + "/openapi.json").json()
    for methods in document["paths"].values():
        for operation in methods.values():
            responses = operation["responses"]
            assert {"200", "400", "413", "422", "500", "502", "504", "default"} <= set(responses)
            assert responses["default"]["content"] == {"*/*": {"schema": {}}}
    components = document["components"]["responses"]
    for name in ("BadRequest", "BodyTooLarge", "InternalError"):
        assert "application/problem+json" in components[name]["content"]


# --- MCP sessions ------------------------------------------------------------------------------


def test_abandoned_handshakes_hold_nothing_and_lock_nobody_out(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """Served stateless, an ``initialize`` opens no session: a flood of handshakes that are
    never closed leaves nothing to exhaust, and the next client is served."""
    github = servers["github"]
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "abandoning", "version": "1"},
        },
    }
    with httpx.Client(headers=MCP_HEADERS, timeout=30) as client:
        for _ in range(300):
            answer = client.post(github.mcp, json=initialize)
            assert answer.status_code == 200
            assert "mcp-session-id" not in answer.headers
    (result,) = mcp_calls(github, [("github-get-milestone", GITHUB_IDS)])
    assert not result.is_error, text_of(result)


def test_a_stateless_server_offers_no_standalone_event_stream(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    """A ``GET /mcp`` would open a server-to-client stream on which a stateless server can
    never send anything, held open for good: it is refused with 405 at once."""
    github = servers["github"]
    headers = {**MCP_HEADERS, "accept": "text/event-stream"}
    with httpx.Client(timeout=10) as client:
        for _ in range(50):
            answer = client.get(github.mcp, headers=headers)
            assert answer.status_code == 405
            assert answer.headers["allow"] == "POST"
            assert answer.json()["error"]["code"] == -32600
    (result,) = mcp_calls(github, [("github-get-milestone", GITHUB_IDS)])
    assert not result.is_error, text_of(result)


# --- the logging policy ---------------------------------------------------------------------


def test_secrets_and_credential_query_values_are_masked_in_the_access_log(
    servers: dict[str, Running], upstream: RecordingUpstream
) -> None:
    hubspot, github = servers["hubspot"], servers["github"]
    marks = hubspot.server.mark(), github.server.mark()
    client_key = "client-key-0123456789"
    path = "/v1/feature-flags/v3/a/flags/f/portals/1"
    assert httpx.get(f"{hubspot.rest}{path}?hapikey={client_key}&x=1").status_code == 200
    headers = {"X-GitHub-Api-Version": "1", "Accept": "a"}
    github_path = f"{github.rest}/v1/repos/{GITHUB_TOKEN}/r/milestones/1?q={GITHUB_TOKEN}"
    assert httpx.get(github_path, headers=headers).status_code == 200
    hubspot_log, github_log = hubspot.server.log(marks[0]), github.server.log(marks[1])
    assert f'"GET {path}?hapikey=*** HTTP/1.1" 200' in hubspot_log.replace("&x=1", "")
    assert client_key not in hubspot_log
    assert '"GET /v1/repos/***/r/milestones/1?q=*** HTTP/1.1" 200' in github_log


# --- Host/Origin beyond loopback, start-up errors ---------------------------------------------


def test_listening_beyond_loopback_needs_allowed_hosts(installed: dict[str, Installed]) -> None:
    github = installed["github"]
    prefix = github.prefix
    env = github.env("http://127.0.0.1:9", **{prefix + "MCP_HOST": "0.0.0.0"})
    refused = run_to_exit(github.command("all"), env)
    assert refused.returncode == 2
    assert f"{prefix}MCP_HOST=0.0.0.0 listens beyond this machine" in refused.stderr
    assert f"set {prefix}ALLOWED_HOSTS" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout


def test_a_bad_setting_is_one_line_and_exit_code_2(installed: dict[str, Installed]) -> None:
    github = installed["github"]
    env = github.env("http://127.0.0.1:9", **{github.prefix + "MAX_BODY_BYTES": "lots"})
    refused = run_to_exit(github.command("all"), env)
    assert refused.returncode == 2
    assert f"{github.prefix}MAX_BODY_BYTES must be an integer" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_port_in_use_is_one_line_naming_the_setting(installed: dict[str, Installed]) -> None:
    github = installed["github"]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        env = github.env("http://127.0.0.1:9", **{github.prefix + "REST_PORT": port})
        refused = run_to_exit(github.command("all"), env)
    assert refused.returncode == 3
    lines = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, refused.stderr
    assert f"127.0.0.1:{port}: address already in use" in lines[0]
    assert f"{github.prefix}REST_PORT" in lines[0]
    assert "Traceback" not in refused.stderr + refused.stdout


class HangingUpstream:
    """Accepts connections, reads each request and never answers; records when the caller
    closes the connection."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.received = 0
        self.closed = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            with self.lock:
                self.received += 1
            while conn.recv(65536):  # until the server hangs up
                pass
            with self.lock:
                self.closed += 1

    def wait_for(self, attribute: str, count: int, deadline: float) -> bool:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            with self.lock:
                if getattr(self, attribute) >= count:
                    return True
            time.sleep(0.02)  # polling with a deadline, not synchronisation by sleep
        return False


@pytest.fixture(scope="module")
def exposed(installed: dict[str, Installed]) -> Iterator[tuple[Running, HangingUpstream]]:
    """github served on every interface (ALLOWED_HOSTS set) in front of a hanging upstream."""
    github = installed["github"]
    hanging = HangingUpstream()
    prefix = github.prefix
    env = github.env(
        hanging.url + "/api/v3",
        **{
            prefix + "REST_HOST": "0.0.0.0",
            prefix + "MCP_HOST": "0.0.0.0",
            prefix + "ALLOWED_HOSTS": "good.example,127.0.0.1",
            prefix + "ALLOWED_ORIGINS": "https://app.good.example",
            prefix + "READ_TIMEOUT": "60",
            prefix + "TOTAL_TIMEOUT": "60",
        },
    )
    server = start_logged_server(github.command("all"), 2, env)
    try:
        yield Running(github, server), hanging
    finally:
        server.stop()
        hanging.listener.close()


@pytest.mark.parametrize("adapter", ["rest", "mcp"])
def test_beyond_loopback_hosts_and_origins_are_checked(
    exposed: tuple[Running, HangingUpstream], adapter: str
) -> None:
    running, _ = exposed
    port = port_of(running.rest if adapter == "rest" else running.mcp)
    path = "/openapi.json" if adapter == "rest" else "/mcp"
    method = "GET" if adapter == "rest" else "POST"
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode()

    def ask(headers: str) -> int:
        request = (
            f"{method} {path} HTTP/1.1\r\n{headers}Content-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body
        return raw_http(port, request)[0]

    assert ask("Host: evil.example\r\n") == 421
    assert ask("Host: good.example\r\nOrigin: https://evil.example\r\n") == 403
    assert ask("Host: good.example\r\nOrigin: https://app.good.example\r\n") not in (403, 421)
    assert ask(f"Host: good.example:{port}\r\n") not in (403, 421)
    log = running.server.log()
    assert f"the {adapter.upper()} adapter listens on 0.0.0.0" in log
    assert "requires no authentication" in log


def test_an_abandoned_rest_request_cancels_its_upstream_call(
    exposed: tuple[Running, HangingUpstream],
) -> None:
    running, hanging = exposed
    port = port_of(running.rest)
    before = hanging.received
    clients = []
    for _ in range(5):
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(
            b"GET /v1/repos/o/r/milestones/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Accept: a\r\nX-GitHub-Api-Version: 1\r\n\r\n"
        )
        clients.append(client)
    assert hanging.wait_for("received", before + 5, 30), "the upstream calls never started"
    closed_before = hanging.closed
    for client in clients:
        client.close()
    assert hanging.wait_for(
        "closed", closed_before + 5, 10
    ), "the upstream connections stayed open after the clients left"
    running.server.assert_alive()
    assert "Traceback" not in running.server.log()
