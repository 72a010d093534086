"""Clients of the consumed APIs: one class per API, one method per operation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from .config import Settings
from .exchange import UpstreamResponse
from .log_masking import mask_secrets_in_logs
from .upstream_client import UpstreamClient, UpstreamGroup
from .wire import segment


class AdminExecutionsClient(UpstreamClient):
    """Flyte Admin API — Executions business capability. Self-contained, no shared references."""

    namespace = "admin-executions"

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(settings.admin_executions_base_url, settings, transport)

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
class Upstreams(UpstreamGroup):
    """The clients of every consumed API, opened and closed together."""

    admin_executions: AdminExecutionsClient

    @classmethod
    def open(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> Upstreams:
        """Create every client (connections are made on first use); from now on no log line
        shows a configured secret."""
        mask_secrets_in_logs(settings.secrets.values())
        return cls(
            admin_executions=AdminExecutionsClient(settings, transport),
        )
