"""What the generated ``Dockerfile`` needs of a capability: the HTTP servers a container
runs, each on a fixed port, and how its health is checked."""

from __future__ import annotations

import dataclasses
import json

from .. import ir

FIRST_FREE_PORT = 8080
"""Where ports are assigned from for adapters whose spec leaves the port open."""


@dataclasses.dataclass(frozen=True)
class ContainerPort:
    """One HTTP server of the container: its settings key and the port it listens on."""

    key: str
    port: int


def container_ports(capability: ir.Capability) -> list[ContainerPort]:
    """Every HTTP server ``all --transport http`` runs, on its spec's port, or on the next
    port from 8080 that no other server uses when the spec leaves it open (0 or none)."""
    adapters = [*capability.rest_adapters, *capability.listeners]
    taken = {adapter.port for adapter in adapters if adapter.port}
    ports: list[ContainerPort] = []
    candidate = FIRST_FREE_PORT
    for adapter in adapters:
        port = adapter.port
        if not port:
            while candidate in taken:
                candidate += 1
            port = candidate
            taken.add(port)
        ports.append(ContainerPort(adapter.key, port))
    return ports


def health_probe(capability: ir.Capability) -> str | None:
    """The Python statement the image's ``HEALTHCHECK`` runs: the control port's
    ``/health/live`` where it is open to unauthenticated callers, else a TCP connection to
    the first server; ``None`` when the container serves no HTTP."""
    ports = container_ports(capability)
    control = capability.control
    if control is not None and control.health and control.authentication is None:
        port = next(p.port for p in ports if p.key == control.key)
        return (
            "import urllib.request; "
            f'urllib.request.urlopen("http://127.0.0.1:{port}/health/live", timeout=3)'
        )
    if not ports:
        return None
    return (
        "import socket; "
        f'socket.create_connection(("127.0.0.1", {ports[0].port}), timeout=3).close()'
    )


def exec_form(*arguments: str) -> str:
    """A Dockerfile instruction's exec form: a JSON array of strings."""
    return json.dumps(list(arguments), ensure_ascii=False)
