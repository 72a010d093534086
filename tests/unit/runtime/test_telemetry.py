"""What adapters record: timing, Prometheus metrics, trace context and summaries
(recording, metrics, tracing, http_recording)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from naftiko_codegen.runtime import tracing
from naftiko_codegen.runtime.http_recording import record_requests
from naftiko_codegen.runtime.metrics import Metrics
from naftiko_codegen.runtime.recording import Recording, Served
from naftiko_codegen.runtime.tracing import TRACE_CONTEXT, Tracer, propagate_trace

W3C_PARENT = "00-" + "a" * 32 + "-" + "b" * 16 + "-01"


class Log:
    """A recorder that writes down what it is told."""

    def __init__(self, name: str, events: list[Any]) -> None:
        self.name, self.events = name, events

    def begin(self, headers: Any) -> object:
        self.events.append((self.name, "begin", dict(headers)))
        return self.name + "-token"

    def end(self, begun: object, served: Served) -> None:
        event = (self.name, "end", begun, served.operation, served.outcome, served.http_status)
        self.events.append(event)


def test_recording_hands_each_request_to_every_recorder_in_order() -> None:
    events: list[Any] = []
    recording = Recording(Log("a", events), Log("b", events))
    started = recording.start({"x": "1"})
    recording.finish(started, "rest", "get", failed=True, http_status=502)
    assert events == [
        ("a", "begin", {"x": "1"}),
        ("b", "begin", {"x": "1"}),
        ("a", "end", "a-token", "get", "error", 502),
        ("b", "end", "b-token", "get", "error", 502),
    ]


def test_metrics_count_and_time_requests() -> None:
    metrics = Metrics()
    for outcome in ("ok", "ok", "error"):
        metrics.end(None, Served("rest", "list", outcome, 0.25))
    text = generate_latest(metrics.registry).decode()
    assert 'naftiko_requests_total{adapter="rest",operation="list",outcome="ok"} 2.0' in text
    assert 'naftiko_request_duration_seconds_count{adapter="rest",operation="list"} 3.0' in text
    other = generate_latest(Metrics().registry).decode()  # each package has its own registry
    assert 'operation="list"' not in other


@pytest.mark.parametrize(
    ("propagation", "header", "parent", "expected"),
    [
        ("w3c", "traceparent", W3C_PARENT, ("a" * 32, "b" * 16, True)),
        ("w3c", "traceparent", W3C_PARENT[:-2] + "00", ("a" * 32, "b" * 16, False)),
        ("w3c", "traceparent", "00-" + "0" * 32 + "-" + "b" * 16 + "-01", None),
        ("w3c", "traceparent", "garbage", None),
        ("b3", "b3", "c" * 16 + "-" + "d" * 16 + "-1", ("c" * 16, "d" * 16, True)),
        ("b3", "b3", "c" * 32 + "-" + "d" * 16, ("c" * 32, "d" * 16, True)),
        ("b3", "b3", "c" * 32 + "-" + "d" * 16 + "-0", ("c" * 32, "d" * 16, False)),
    ],
)
def test_a_callers_trace_context_is_read(
    propagation: Any, header: str, parent: str, expected: Any
) -> None:
    tracer = Tracer(propagation, sampling=1.0, capacity=10)
    assert tracer.header == header
    assert tracer.parent(parent) == expected


def test_a_span_continues_the_callers_trace_and_is_summarised() -> None:
    tracer = Tracer("w3c", sampling=0.0, capacity=2)
    span = tracer.begin({"traceparent": W3C_PARENT})
    header, value = TRACE_CONTEXT.get() or ("", "")
    assert header == "traceparent"
    assert value.startswith("00-" + "a" * 32 + "-") and value.endswith("-01")
    tracer.end(span, Served("mcp", "tool", "ok", 0.0015))
    assert TRACE_CONTEXT.get() is None
    [summary] = tracer.summaries()
    assert summary["traceId"] == "a" * 32 and summary["parentSpanId"] == "b" * 16
    assert (summary["status"], summary["durationMs"]) == ("ok", 1.5)
    assert "httpStatus" not in summary


def test_unsampled_traces_are_not_kept_and_the_newest_come_first() -> None:
    tracer = Tracer("b3", sampling=0.0, capacity=2)
    tracer.end(tracer.begin({}), Served("rest", "x", "ok", 0.0))
    assert tracer.summaries() == []
    kept = Tracer("b3", sampling=1.0, capacity=2)
    for name in ("one", "two", "three"):
        kept.end(kept.begin({}), Served("rest", name, "ok", 0.0, 200))
    assert [s["operation"] for s in kept.summaries()] == ["three", "two"]
    assert kept.summaries()[0]["httpStatus"] == 200


def test_upstream_calls_carry_the_current_trace() -> None:
    seen: list[str | None] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("traceparent"))
        return httpx.Response(204)

    async def go() -> None:
        hooks = {"request": [propagate_trace]}
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(upstream), event_hooks=hooks
        ) as http:
            await http.get("http://upstream.test/")
            token = TRACE_CONTEXT.set(("traceparent", W3C_PARENT))
            try:
                await http.get("http://upstream.test/")
            finally:
                TRACE_CONTEXT.reset(token)

    asyncio.run(go())
    assert seen == [None, W3C_PARENT]
    assert tracing.TRACE_CONTEXT.get() is None


def test_rest_requests_are_recorded_under_their_route_names() -> None:
    events: list[Any] = []
    app = FastAPI()

    async def list_items(request: Request) -> Response:
        return JSONResponse([])

    record_requests(app, "rest", Recording(Log("log", events)))
    app.add_route("/items", list_items, methods=["GET"], name="listItems")

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.get("/items", headers={"traceparent": W3C_PARENT})
            await client.get("/nowhere")

    asyncio.run(go())
    ends = [event for event in events if event[1] == "end"]
    assert ends == [
        ("log", "end", "log-token", "listItems", "ok", 200),
        ("log", "end", "log-token", "unmatched", "error", 404),
    ]
    assert events[0][2]["traceparent"] == W3C_PARENT
