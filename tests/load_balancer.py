"""A real HAProxy on 127.0.0.1, balancing round-robin over replicas, for the replica tests."""

from __future__ import annotations

import csv
import io
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .conftest import stop_process

READY_DEADLINE = 30.0
HAPROXY_MISSING = (
    "haproxy is not installed and could not be installed here "
    "(.ci/run installs it: apt-get install -y haproxy)"
)


def haproxy_binary() -> str | None:
    """The haproxy executable (Debian puts it in /usr/sbin, often not on PATH), or None."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _backend(name: str, urls: Sequence[str]) -> str:
    servers = "\n".join(
        f"    server {name}{index} {urlsplit(url).netloc} check inter 200ms fall 1 rise 1"
        for index, url in enumerate(urls)
    )
    # Every request on its own server connection, retried on the next replica when the
    # connection is refused: a killed replica costs no client a failed call.
    return (
        f"backend {name}\n    balance roundrobin\n    option http-server-close\n"
        f"    retries 3\n    option redispatch 1\n{servers}\n"
    )


def haproxy_config(frontends: Mapping[str, tuple[int, Sequence[str]]], stats_port: int) -> str:
    """A configuration: one frontend and backend per entry (name → (port, replica URLs)),
    and a statistics page on ``stats_port``."""
    parts = [
        "defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n"
        "    timeout server 30s\n",
        f"frontend stats\n    bind 127.0.0.1:{stats_port}\n    stats enable\n"
        "    stats uri /stats\n",
    ]
    for name, (port, urls) in frontends.items():
        parts.append(f"frontend {name}_in\n    bind 127.0.0.1:{port}\n    default_backend {name}\n")
        parts.append(_backend(name, urls))
    return "\n".join(parts)


@dataclass
class LoadBalancer:
    """A running HAProxy: its frontends' URLs by name and its statistics page."""

    process: subprocess.Popen[bytes]
    urls: dict[str, str]
    stats_url: str

    def answered(self, backend: str) -> dict[str, int]:
        """The 2xx answers each server of ``backend`` gave, by server name."""
        text = httpx.get(self.stats_url + ";csv", timeout=5).text.lstrip("# ")
        return {
            row["svname"]: int(row["hrsp_2xx"] or 0)
            for row in csv.DictReader(io.StringIO(text))
            if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def stop(self) -> None:
        """Stop HAProxy."""
        stop_process(self.process)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"haproxy exited: {process.communicate()[1].decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)  # polling a port with a deadline, not synchronising on time
    raise AssertionError(f"haproxy did not listen on {port} in time")


def start_haproxy(
    binary: str, backends: Mapping[str, Sequence[str]], directory: Path
) -> LoadBalancer:
    """HAProxy in the foreground, one frontend per backend name, balancing over its URLs."""
    ports = {name: free_port() for name in backends}
    stats_port = free_port()
    config = directory / "haproxy.cfg"
    config.write_text(
        haproxy_config({name: (ports[name], urls) for name, urls in backends.items()}, stats_port)
    )
    subprocess.run([binary, "-c", "-q", "-f", str(config)], check=True, timeout=30)
    process = subprocess.Popen(
        [binary, "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    for port in [*ports.values(), stats_port]:
        _wait_listening(port, process)
    return LoadBalancer(
        process,
        {name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
        f"http://127.0.0.1:{stats_port}/stats",
    )
