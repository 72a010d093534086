"""Clients of the consumed APIs: one class per API, one method per operation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx

from .config import Settings
from .exchange import UpstreamResponse, exchange
from .log_masking import mask_secrets_in_logs
from .wire import segment


class AdminExecutionsClient:
    """Flyte Admin API — Executions business capability. Self-contained, no shared references."""

    namespace = "admin-executions"

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(
            base_url=settings.admin_executions_base_url,
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout
            ),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes | None = None,
        body_type: str = "application/json",
    ) -> UpstreamResponse:
        # header names are case-insensitive: a forwarded "content-type" counts
        if body is not None and all(name.lower() != "content-type" for name in headers):
            headers["Content-Type"] = body_type
        request = self._http.build_request(
            method, path, params=tuple(query), headers=headers, content=body
        )
        settings = self.settings
        return await exchange(
            self._http,
            self.namespace,
            operation,
            request,
            settings.max_response_bytes,
            settings.total_timeout,
        )

    async def createexecution(
        self,
        *,
        extra_query: Iterable[tuple[str, str]] = (),
        body: bytes | None = None,
        body_type: str = "application/json",
    ) -> UpstreamResponse:
        """Create a workflow execution"""
        path = "/api/v1/executions"
        query = list(extra_query)
        headers: dict[str, str] = {}
        return await self._send(
            "createexecution", "POST", path, query, headers, body, body_type
        )

    async def recoverexecution(
        self,
        *,
        extra_query: Iterable[tuple[str, str]] = (),
        body: bytes | None = None,
        body_type: str = "application/json",
    ) -> UpstreamResponse:
        """Recover a workflow execution"""
        path = "/api/v1/executions/recover"
        query = list(extra_query)
        headers: dict[str, str] = {}
        return await self._send(
            "recoverexecution", "POST", path, query, headers, body, body_type
        )

    async def relaunchexecution(
        self,
        *,
        extra_query: Iterable[tuple[str, str]] = (),
        body: bytes | None = None,
        body_type: str = "application/json",
    ) -> UpstreamResponse:
        """Relaunch a workflow execution"""
        path = "/api/v1/executions/relaunch"
        query = list(extra_query)
        headers: dict[str, str] = {}
        return await self._send(
            "relaunchexecution", "POST", path, query, headers, body, body_type
        )

    async def listexecutions(
        self,
        *,
        id_project: str,
        id_domain: str,
        extra_query: Iterable[tuple[str, str]] = (),
    ) -> UpstreamResponse:
        """List workflow executions"""
        path = "/api/v1/executions/" + segment(id_project) + "/" + segment(id_domain)
        query = list(extra_query)
        headers: dict[str, str] = {}
        return await self._send("listexecutions", "GET", path, query, headers)

    async def getexecution(
        self,
        *,
        id_project: str,
        id_domain: str,
        id_name: str,
        extra_query: Iterable[tuple[str, str]] = (),
    ) -> UpstreamResponse:
        """Retrieve a workflow execution"""
        path = (
            "/api/v1/executions/"
            + segment(id_project)
            + "/"
            + segment(id_domain)
            + "/"
            + segment(id_name)
        )
        query = list(extra_query)
        headers: dict[str, str] = {}
        return await self._send("getexecution", "GET", path, query, headers)

    async def terminateexecution(
        self,
        *,
        id_project: str,
        id_domain: str,
        id_name: str,
        extra_query: Iterable[tuple[str, str]] = (),
        body: bytes | None = None,
        body_type: str = "application/json",
    ) -> UpstreamResponse:
        """Terminate a workflow execution"""
        path = (
            "/api/v1/executions/"
            + segment(id_project)
            + "/"
            + segment(id_domain)
            + "/"
            + segment(id_name)
        )
        query = list(extra_query)
        headers: dict[str, str] = {}
        return await self._send(
            "terminateexecution", "DELETE", path, query, headers, body, body_type
        )

    async def getexecutionmetrics(
        self,
        *,
        id_project: str,
        id_domain: str,
        id_name: str,
        extra_query: Iterable[tuple[str, str]] = (),
    ) -> UpstreamResponse:
        """Retrieve execution metrics"""
        path = (
            "/api/v1/metrics/executions/"
            + segment(id_project)
            + "/"
            + segment(id_domain)
            + "/"
            + segment(id_name)
        )
        query = list(extra_query)
        headers: dict[str, str] = {}
        return await self._send("getexecutionmetrics", "GET", path, query, headers)


@dataclass(frozen=True)
class Upstreams:
    """The clients of every consumed API, opened and closed together."""

    admin_executions: AdminExecutionsClient

    @classmethod
    def open(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> Upstreams:
        """Create every client (connections are made on first use)."""
        mask_secrets_in_logs(settings.secrets.values())
        return cls(
            admin_executions=AdminExecutionsClient(settings, transport),
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every client."""
        await self.admin_executions.aclose()
