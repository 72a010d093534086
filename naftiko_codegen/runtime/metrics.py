"""Prometheus metrics of the requests the adapters serve (the control port's ``/metrics``)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram

from .recording import Served


class Metrics:
    """Requests served and their latencies, by adapter and operation, in a registry of
    their own (so that several generated packages can share a process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "naftiko_requests_total",
            "Requests served, by adapter, operation and outcome.",
            ["adapter", "operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "naftiko_request_duration_seconds",
            "Time to serve a request, by adapter and operation.",
            ["adapter", "operation"],
            registry=self.registry,
        )

    def begin(self, headers: Mapping[str, str]) -> None:
        """Nothing is measured until the request was served."""

    def end(self, begun: object, served: Served) -> None:
        """Count the request and observe its latency."""
        self.requests.labels(served.adapter, served.operation, served.outcome).inc()
        self.latency.labels(served.adapter, served.operation).observe(served.seconds)
