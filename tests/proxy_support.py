"""Test support for the proxy tests: a recording upstream on a real socket, and helpers.

``RecordingUpstream`` is a tiny HTTP/1.1 server written on plain sockets (one thread per
connection) so that it sees exactly what the generated server puts on the wire: the raw,
undecoded request target, every header line in order, and the body bytes. Each test tells
it how to answer: a given status, content type and body, or a fault (hang, close the
connection, answer garbage, stream an endless body).
"""

from __future__ import annotations

import base64
import os
import queue
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

import pytest

from .conftest import READY_DEADLINE, ServerProcess

DATA = Path(__file__).resolve().parent / "data"
OTHER_APIS = DATA / "other_apis"

Mode = Literal["respond", "hang", "close", "garbage", "endless", "drip"]


@dataclass(frozen=True)
class Recorded:
    """One request as the upstream received it."""

    method: str
    target: str
    """The request target exactly as sent (percent-encoding untouched)."""
    version: str
    headers: tuple[tuple[str, str], ...]
    """Every header line, in order, names as sent."""
    body: bytes

    @property
    def path(self) -> str:
        """The raw path (before ``?``), undecoded."""
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        """The raw query string (after the first ``?``), undecoded; ``""`` if none."""
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def query_pairs(self) -> list[tuple[str, str]]:
        """The decoded query pairs, in order."""
        return parse_qsl(self.query, keep_blank_values=True, strict_parsing=bool(self.query))

    def header_names(self) -> list[str]:
        """Lower-cased header names, in order."""
        return [name.lower() for name, _ in self.headers]

    def header(self, name: str) -> str | None:
        """The single value of header ``name`` (case-insensitive); fails if it is repeated."""
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        assert len(values) <= 1, f"header {name!r} sent {len(values)} times: {values}"
        return values[0] if values else None

    def header_map(self) -> dict[str, str]:
        """Headers keyed by lower-cased name (fails on a repeated header)."""
        names = self.header_names()
        assert len(names) == len(set(names)), f"repeated headers: {self.headers}"
        return {k.lower(): v for k, v in self.headers}


@dataclass(frozen=True)
class Reply:
    """How the upstream answers the next requests."""

    mode: Mode = "respond"
    status: int = 200
    content_type: str | None = "application/json"
    body: bytes = b"{}"
    headers: tuple[tuple[str, str], ...] = ()


JSON_OK = Reply(body=b'{"ok":true}')


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False


class RecordingUpstream:
    """A recording HTTP/1.1 upstream on 127.0.0.1 (keep-alive, Content-Length or chunked)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._reply = JSON_OK
        self._lock = threading.Lock()
        self._release = threading.Event()
        upstream = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                upstream._serve_connection(self.connection, self.rfile)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # --- control ------------------------------------------------------------------

    def reply(self, reply: Reply) -> None:
        """Answer every following request with ``reply``."""
        with self._lock:
            self._reply = reply

    def respond(
        self,
        status: int = 200,
        body: bytes | str = b"{}",
        content_type: str | None = "application/json",
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Answer every following request with this status, content type and body."""
        data = body.encode() if isinstance(body, str) else body
        self.reply(Reply("respond", status, content_type, data, tuple(headers)))

    def reset(self) -> None:
        """Forget recorded requests, answer ``{"ok": true}`` again, release hung requests."""
        with self._lock:
            self.requests.clear()
            self._reply = JSON_OK
            self._release.set()
            self._release = threading.Event()

    def close(self) -> None:
        """Stop serving and release every hung request."""
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def only(self) -> Recorded:
        """The one request received since the last reset (kept)."""
        with self._lock:
            assert len(self.requests) == 1, f"expected one upstream request: {self.requests}"
            return self.requests[0]

    def take(self) -> Recorded:
        """The one request received since the last call, then forget it."""
        with self._lock:
            assert len(self.requests) == 1, f"expected one upstream request: {self.requests}"
            return self.requests.pop()

    # --- serving ------------------------------------------------------------------

    def _serve_connection(self, conn: socket.socket, rfile: Any) -> None:
        while True:
            try:
                request = _read_request(rfile)
            except (OSError, ValueError):
                return
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
                reply = self._reply_to(request)
                release = self._release
            try:
                if not self._answer(conn, reply, release):
                    return
            except OSError:
                return

    def _reply_to(self, request: Recorded) -> Reply:
        """The reply for ``request`` (called with the lock held): the one set last."""
        return self._reply

    def _answer(self, conn: socket.socket, reply: Reply, release: threading.Event) -> bool:
        """Send the answer; False when the connection must be closed."""
        if reply.mode == "hang":
            release.wait(60)
            return False
        if reply.mode == "close":
            conn.shutdown(socket.SHUT_RDWR)
            return False
        if reply.mode == "garbage":
            conn.sendall(b"\x00\x16garbage, not HTTP at all \xff\xfe\r\n\r\n<<<>>>\r\n")
            conn.shutdown(socket.SHUT_RDWR)
            return False
        if reply.mode == "endless":
            head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            conn.sendall((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
            chunk = b"x" * 65536
            framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not release.is_set():
                conn.sendall(framed)  # until the client hangs up (OSError ends it)
            return False
        if reply.mode == "drip":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            # a length within MAX_RESPONSE_BYTES: only the deadline can end it
            conn.sendall(b"Content-Length: 100000\r\n\r\n")
            while not release.wait(0.2):  # one byte every 0.2 s: never a read timeout
                conn.sendall(b" ")
            return False
        lines = [f"HTTP/1.1 {reply.status} {_reason(reply.status)}"]
        if reply.content_type is not None:
            lines.append(f"Content-Type: {reply.content_type}")
        lines.extend(f"{k}: {v}" for k, v in reply.headers)
        lines.append(f"Content-Length: {len(reply.body)}")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + reply.body)
        return True


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _read_request(rfile: Any) -> Recorded | None:
    line = rfile.readline(65537)
    if not line:
        return None
    method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while True:
        raw = rfile.readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").rstrip("\r\n").partition(":")
        headers.append((name, value.strip(" \t")))
    lowered = {k.lower(): v for k, v in headers}
    body = b""
    if lowered.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int(rfile.readline().split(b";")[0], 16)
            if size == 0:
                while rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                break
            body += rfile.read(size)
            rfile.readline()
    elif "content-length" in lowered:
        body = rfile.read(int(lowered["content-length"]))
    return Recorded(method, target, version, tuple(headers), body)


# --- generated servers ----------------------------------------------------------------

_LISTENING = re.compile(r"(.+?) listening on (http://\S+)")


@dataclass
class LoggedServer(ServerProcess):
    """A server whose every output line (stdout and stderr) is kept for inspection."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    ended: threading.Event = field(default_factory=threading.Event)

    def log(self, start: int = 0) -> str:
        """Everything the process printed so far (from line ``start`` on)."""
        with self.lock:
            return "".join(self.output[start:])

    def mark(self) -> int:
        """A position in the log, for :meth:`log`."""
        with self.lock:
            return len(self.output)

    def assert_alive(self) -> None:
        """The process has not exited."""
        assert self.process.poll() is None, "server died:\n" + self.log()


def merged_env(env: Mapping[str, str | None]) -> dict[str, str]:
    """``os.environ`` updated with ``env``; a ``None`` value removes the variable."""
    merged = dict(os.environ)
    for name, value in env.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def start_logged_server(
    args: Sequence[str], expected: int, env: Mapping[str, str | None], cwd: Path | None = None
) -> LoggedServer:
    """Start ``args``; wait (deadline, no sleeps) for ``expected`` ``listening on`` lines.

    Unlike ``conftest.start_server`` every later output line is kept too, so tests can
    scan the logs for secrets.
    """
    process = subprocess.Popen(
        list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=merged_env(env),
        cwd=cwd,
    )
    server = LoggedServer(process)
    announced: queue.Queue[tuple[str, str] | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with server.lock:
                server.output.append(line)
            match = _LISTENING.search(line)
            if match:
                announced.put((match.group(1).strip(), match.group(2)))
        server.ended.set()
        announced.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + READY_DEADLINE
    while len(server.urls) < expected:
        try:
            item = announced.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            server.stop()
            raise AssertionError("server not ready in time:\n" + server.log()) from None
        if item is None:
            server.stop()
            raise AssertionError("server exited early:\n" + server.log())
        server.urls[item[0]] = item[1]
    return server


def run_to_exit(
    args: Sequence[str],
    env: Mapping[str, str | None],
    timeout: float = 30,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command whose start-up must be refused: it must exit on its own.

    stdout and stderr are returned separately. If the process announces a listening server
    instead, it is stopped at once and the test fails (no waiting for a timeout).
    """
    process = subprocess.Popen(
        list(args),
        env=merged_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=cwd,
    )
    captured: dict[str, list[str]] = {"stdout": [], "stderr": []}
    started = threading.Event()

    def pump(name: str, stream: Any) -> None:
        for line in stream:
            captured[name].append(line)
            if _LISTENING.search(line):
                started.set()

    threads = [
        threading.Thread(target=pump, args=("stdout", process.stdout), daemon=True),
        threading.Thread(target=pump, args=("stderr", process.stderr), daemon=True),
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    while process.poll() is None and not started.is_set() and time.monotonic() < deadline:
        started.wait(0.05)  # bounded wait for either event: exit or an announcement
    if process.poll() is None:
        process.kill()
        process.wait()
        for thread in threads:
            thread.join(5)
        output = "".join(captured["stdout"] + captured["stderr"])
        raise AssertionError(f"the server started instead of refusing to:\n{output}")
    for thread in threads:
        thread.join(5)
    return subprocess.CompletedProcess(
        list(args), process.returncode, "".join(captured["stdout"]), "".join(captured["stderr"])
    )


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def python(package: str, *args: str) -> list[str]:
    """The command line running a generated package."""
    return [sys.executable, "-m", package, *args]


def assert_no_secrets(text: str, secrets: Iterable[str], where: str) -> None:
    """None of ``secrets`` (nor their obvious encodings) appears in ``text``."""
    from urllib.parse import quote

    for secret in secrets:
        forms = {secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode()}
        for form in forms:
            if form in text:
                lines = [line for line in text.splitlines() if form in line]
                raise AssertionError(
                    f"secret {secret!r} leaked into {where}:\n" + "\n".join(lines[:5])
                )


def raw_http(port: int, request: bytes, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes to 127.0.0.1:port; return status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split(" ")[1]), headers, body


@dataclass
class Timer:
    """Elapsed wall time of a ``with`` block."""

    elapsed: float = 0.0

    def __enter__(self) -> Timer:
        self._start = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.monotonic() - self._start


def upstream_fixture() -> Iterator[RecordingUpstream]:
    """Body of the session fixture: one recording upstream for the whole session."""
    upstream = RecordingUpstream()
    try:
        yield upstream
    finally:
        upstream.close()


# --- the four other-apis capabilities ---------------------------------------------------

TWILIO_USER = "AC-user-s3cr3t-TWILIO-USER-7788"
TWILIO_PASS = "s3cr3t-TWILIO-PASS-1234"
HUBSPOT_KEY = "s3cr3t-HUBSPOT-KEY-5678+&=/?#"
ANTHROPIC_KEY = "s3cr3t-ANTHROPIC-KEY-9012"
GITHUB_TOKEN = "s3cr3t-GITHUB-TOKEN-3456"
TWILIO_BASIC = base64.b64encode(f"{TWILIO_USER}:{TWILIO_PASS}".encode()).decode()
ALL_SECRETS = (TWILIO_USER, TWILIO_PASS, HUBSPOT_KEY, ANTHROPIC_KEY, GITHUB_TOKEN, TWILIO_BASIC)
"""Every secret value the tests configure; none may appear in a log or a response."""

READ_TIMEOUT = 1.0
TOTAL_TIMEOUT = 3.0
MAX_RESPONSE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Capability:
    """One capability under test: its spec, the secrets it needs and where it is served."""

    key: str
    spec: Path
    namespace: str
    """The consumed namespace (one per spec here)."""
    base_path: str
    """The path part of the base URL the tests configure (to prove it is kept)."""
    secrets: Mapping[str, str]


CAPABILITIES = {
    cap.key: cap
    for cap in (
        Capability(
            "twilio",
            OTHER_APIS / "twilio-voice-calls.yaml",
            "voice-calls",
            "/twilio/2010-04-01",
            {"TWILIO_USER": TWILIO_USER, "TWILIO_PASS": TWILIO_PASS},
        ),
        Capability(
            "hubspot",
            OTHER_APIS / "hubspot-crm-feature-flags-portal-flag-states.yaml",
            "crm-feature-flags-portal-flag-states",
            "/hubspot",
            {"HUBSPOT_API_KEY": HUBSPOT_KEY},
        ),
        Capability(
            "anthropic",
            OTHER_APIS / "anthropic-skills-skills.yaml",
            "skills-skills",
            "",
            {"ANTHROPIC_API_KEY": ANTHROPIC_KEY},
        ),
        Capability(
            "github",
            OTHER_APIS / "github-repos-milestones.yaml",
            "repos-milestones",
            "/api/v3",
            {"GITHUB_API_KEY": GITHUB_TOKEN},
        ),
    )
}


@dataclass(frozen=True)
class Installed:
    """A capability compiled and pip-installed into its own site directory."""

    cap: Capability
    package: str
    prefix: str
    """The environment-variable prefix, with its trailing ``_``."""
    site: Path
    out: Path

    @property
    def base_url_var(self) -> str:
        """The variable that overrides the consumed API's base URL."""
        return f"{self.prefix}{self.cap.namespace.upper().replace('-', '_')}_BASE_URL"

    def env(self, base_url: str, **extra: str | None) -> dict[str, str | None]:
        """The environment of a server process: every setting explicit, DEBUG logs."""
        return {
            "PYTHONPATH": str(self.site),
            self.base_url_var: base_url,
            self.prefix + "REST_PORT": "0",
            self.prefix + "MCP_PORT": "0",
            self.prefix + "CONNECT_TIMEOUT": "1",
            self.prefix + "READ_TIMEOUT": str(READ_TIMEOUT),
            self.prefix + "TOTAL_TIMEOUT": str(TOTAL_TIMEOUT),
            self.prefix + "MAX_RESPONSE_BYTES": str(MAX_RESPONSE_BYTES),
            self.prefix + "LOG_LEVEL": "DEBUG",
            **self.cap.secrets,
            **extra,
        }

    def command(self, *args: str) -> list[str]:
        """``python -m <package> args…``."""
        return python(self.package, *args)


def install(cap: Capability, root: Path) -> Installed:
    """Compile and pip-install ``cap`` under ``root``."""
    from .conftest import build_into, pip_install

    result = build_into(cap.spec, root / "out")
    pip_install(root / "out", root / "site")
    prefix = result.capability.env_prefix.rstrip("_") + "_"
    return Installed(cap, result.capability.package, prefix, root / "site", root / "out")


@dataclass
class Running:
    """A capability's REST and MCP servers (one ``all`` process) in front of an upstream."""

    installed: Installed
    server: LoggedServer

    @property
    def rest(self) -> str:
        """Base URL of the REST adapter."""
        return self.server.url("REST")

    @property
    def mcp(self) -> str:
        """URL of the MCP endpoint (Streamable HTTP)."""
        return self.server.url("MCP") + "/mcp"


# --- fixtures (this module is a pytest plugin: ``pytest_plugins = ["tests.proxy_support"]``)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Installed]:
    """The four capabilities, each compiled and pip-installed once per session."""
    from concurrent.futures import ThreadPoolExecutor

    from naftiko_codegen.formatting import black_mode

    black_mode()  # import black once here: four threads importing it at once can fail
    root = tmp_path_factory.mktemp("other_apis")
    with ThreadPoolExecutor(len(CAPABILITIES)) as pool:
        futures = {k: pool.submit(install, c, root / k) for k, c in CAPABILITIES.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.fixture(scope="session")
def recording_upstream() -> Iterator[RecordingUpstream]:
    """One recording upstream shared by the session's servers."""
    yield from upstream_fixture()


@pytest.fixture(scope="session")
def running_servers(
    installed: dict[str, Installed], recording_upstream: RecordingUpstream
) -> Iterator[dict[str, Running]]:
    """Every capability served (REST and MCP, one process each) in front of the upstream."""
    from concurrent.futures import ThreadPoolExecutor

    def start(item: Installed) -> Running:
        base = recording_upstream.url + item.cap.base_path
        return Running(item, start_logged_server(item.command("all"), 2, item.env(base)))

    with ThreadPoolExecutor(len(installed)) as pool:
        futures = {key: pool.submit(start, item) for key, item in installed.items()}
        started = {}
        errors = []
        for key, future in futures.items():
            try:
                started[key] = future.result()
            except AssertionError as error:  # pragma: no cover - reported below
                errors.append(error)
    try:
        if errors:
            raise errors[0]
        yield started
    finally:
        for running in started.values():
            running.server.stop()


@pytest.fixture
def upstream(recording_upstream: RecordingUpstream) -> Iterator[RecordingUpstream]:
    """The recording upstream, reset before and after the test (hung requests released)."""
    recording_upstream.reset()
    yield recording_upstream
    recording_upstream.reset()


@pytest.fixture
def servers(
    running_servers: dict[str, Running], upstream: RecordingUpstream
) -> Iterator[dict[str, Running]]:
    """The running servers; after the test, each is alive and its logs hold no secret."""
    marks = {key: running.server.mark() for key, running in running_servers.items()}
    yield running_servers
    for key, running in running_servers.items():
        running.server.assert_alive()
        assert_no_secrets(running.server.log(marks[key]), ALL_SECRETS, f"the {key} server log")
