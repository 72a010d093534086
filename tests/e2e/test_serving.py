"""The generated command line's process model: ``--workers N`` and a graceful SIGTERM that
lets in-flight calls finish (or fail cleanly) within the shutdown deadline."""

from __future__ import annotations

import concurrent.futures
import http.server
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from ..conftest import FLYTE_PACKAGE, ServerProcess, flyte_env, start_server

pytestmark = pytest.mark.e2e

EXECUTION = "/v1/api/v1/executions/p/d/n"
DEADLINE = 30.0


@dataclass
class SlowUpstream:
    """An upstream that holds each request until ``release`` is set."""

    url: str = ""
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def slow_upstream() -> Iterator[SlowUpstream]:
    """A threaded HTTP server on a free port answering ``{"held": true}`` once released."""
    state = SlowUpstream()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            state.received.set()
            state.release.wait(DEADLINE)
            body = b'{"held": true}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def start_rest(site: Path, upstream: str, *args: str, **env: str) -> ServerProcess:
    """The generated REST server on a free port."""
    return start_server(
        [sys.executable, "-m", FLYTE_PACKAGE, "rest", *args],
        expected=1,
        env=flyte_env(site, upstream, **env),
    )


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc)."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def test_workers_serve_and_stop_together(flyte_site: Path, simulator: str) -> None:
    server = start_rest(flyte_site, simulator, "--workers", "2")
    try:
        workers = children(server.process.pid)
        assert len(workers) == 2
        with httpx.Client(base_url=server.url("REST"), timeout=10) as client:
            for _ in range(20):
                # new connections, so that both workers' accept loops take some
                response = client.get("/v1/api/v1/executions/workers/dev", params={"limit": 1})
                assert response.status_code == 200, response.text
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=DEADLINE) == 0
        for pid in workers:
            assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)
    finally:
        server.stop()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return "Z"


def terminate_during_a_call(
    server: ServerProcess, upstream: SlowUpstream
) -> concurrent.futures.Future[httpx.Response]:
    """Start a call that the upstream holds, then SIGTERM the server once the upstream has
    it; the call's answer is the future's."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    answer = pool.submit(httpx.get, server.url("REST") + EXECUTION, timeout=DEADLINE)
    pool.shutdown(wait=False)
    assert upstream.received.wait(DEADLINE)
    server.process.send_signal(signal.SIGTERM)
    return answer


def test_sigterm_lets_an_in_flight_call_finish(
    flyte_site: Path, slow_upstream: SlowUpstream
) -> None:
    server = start_rest(
        flyte_site, slow_upstream.url, **{"FLYTE_ADMIN_API_EXECUTIONS_SHUTDOWN_TIMEOUT": "20"}
    )
    try:
        answer = terminate_during_a_call(server, slow_upstream)
        # still serving the held call: the process has not exited on the signal
        with pytest.raises(subprocess.TimeoutExpired):
            server.process.wait(timeout=0.5)
        slow_upstream.release.set()
        response = answer.result(timeout=DEADLINE)
        assert response.status_code == 200
        assert response.json() == {"held": True}
        assert server.process.wait(timeout=DEADLINE) == 0
    finally:
        server.stop()


def test_sigterm_cuts_a_call_off_at_the_shutdown_deadline(
    flyte_site: Path, slow_upstream: SlowUpstream
) -> None:
    server = start_rest(
        flyte_site, slow_upstream.url, **{"FLYTE_ADMIN_API_EXECUTIONS_SHUTDOWN_TIMEOUT": "1"}
    )
    try:
        answer = terminate_during_a_call(server, slow_upstream)
        # the upstream never answers: the server gives up after its 1 s deadline
        assert server.process.wait(timeout=DEADLINE) == 0
        with pytest.raises(httpx.HTTPError):
            answer.result(timeout=DEADLINE).raise_for_status()
    finally:
        server.stop()
