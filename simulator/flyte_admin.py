"""Strict in-memory simulator of the Flyte Admin "executions" REST API (grpc-gateway flavour).

Run ``python -m simulator.flyte_admin --host 127.0.0.1 --port 30080`` (port 0 picks a free
one); once bound it prints ``flyte-admin simulator listening on http://HOST:PORT``. Like
flyteadmin behind grpc-gateway it answers snake_case with unpopulated fields emitted, accepts
snake_case or lowerCamelCase, rejects unknown fields, writes int64 as strings and errors as
``{"code", "message", "details"}``. Simplifications: projects/domains need no registration;
executions are RUNNING at once; terminate sets ABORTED directly (flyteadmin goes via
ABORTING) with both ``abort_metadata`` and ``abort_cause``; a wrong method gets HTTP 405
(grpc-gateway sends 501 with the same body).
"""

from __future__ import annotations

import argparse
import copy
import json
import operator
import re
import secrets
import socket
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, UNIMPLEMENTED = 3, 5, 6, 9, 12
HTTP_STATUS = {INVALID_ARGUMENT: 400, NOT_FOUND: 404, ALREADY_EXISTS: 409, FAILED_PRECONDITION: 400}
TERMINAL_PHASES = {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}
ENUMS = {
    "resource_type": ["UNSPECIFIED", "TASK", "WORKFLOW", "LAUNCH_PLAN", "DATASET"],
    "mode": ["MANUAL", "SCHEDULED", "SYSTEM", "RELAUNCH", "CHILD_WORKFLOW", "RECOVERED", "TRIGGER"],
}
# Field kinds: s string, b bool, wb BoolValue, i32/i64 integers, ts Timestamp, enum, any (opaque
# message), list; any other value names a message of MESSAGES.
WEI = {"project": "s", "domain": "s", "name": "s", "org": "s"}
MESSAGES: dict[str, dict[str, str]] = {
    "WorkflowExecutionIdentifier": WEI,
    "Identifier": {
        "resource_type": "enum",
        "project": "s",
        "domain": "s",
        "name": "s",
        "version": "s",
        "org": "s",
    },
    "ExecutionMetadata": {
        "mode": "enum",
        "principal": "s",
        "nesting": "i64",
        "scheduled_at": "ts",
        "parent_node_execution": "any",
        "reference_execution": "WorkflowExecutionIdentifier",
        "system_metadata": "any",
        "artifact_ids": "list",
    },
    "ExecutionSpec": {
        "launch_plan": "Identifier",
        "inputs": "any",
        "metadata": "ExecutionMetadata",
        "notifications": "any",
        "disable_all": "b",
        "labels": "any",
        "annotations": "any",
        "security_context": "any",
        "auth_role": "any",
        "quality_of_service": "any",
        "max_parallelism": "i32",
        "raw_output_data_config": "any",
        "cluster_assignment": "any",
        "interruptible": "wb",
        "overwrite_cache": "b",
        "envs": "any",
        "tags": "list",
        "execution_cluster_label": "any",
        "execution_env_assignments": "list",
    },
    "ExecutionCreateRequest": {**WEI, "spec": "ExecutionSpec", "inputs": "any"},
    "ExecutionRecoverRequest": {
        "id": "WorkflowExecutionIdentifier",
        "name": "s",
        "metadata": "ExecutionMetadata",
    },
    "ExecutionRelaunchRequest": {
        "id": "WorkflowExecutionIdentifier",
        "name": "s",
        "overwrite_cache": "b",
    },
    "ExecutionTerminateRequest": {"id": "WorkflowExecutionIdentifier", "cause": "s"},
}
DEFAULTS = {"s": "", "b": False, "i32": 0, "i64": "0", "list": []}
MAP_FIELDS = {
    "literals",
    "values",
    "metadata",
    "value",
    "dataclass_type",
}  # user-chosen keys kept verbatim
INT64_FIELDS = {"integer", "size_bytes", "retry_attempt"}
LITERAL_VALUES = {"scalar", "collection", "map", "offloaded_metadata"}
NAME_RE, INT_RE = re.compile(r"[a-z][a-z\-0-9]*"), re.compile(r"[+-]?\d+")
TS_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")
FILTER_RE = re.compile(r"(.+)\((.+),\s?(.+)\)")  # flyteadmin's filter grammar: func(field,value)
FILTER_FUNCS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "contains": lambda a, b: b in a,
    "value_in": lambda a, b: a in b,
    "value_not_in": lambda a, b: a not in b,
}
FILTER_FIELDS = {
    "phase": lambda r: r["closure"]["phase"],
    "name": lambda r: r["id"]["name"],
    "project": lambda r: r["id"]["project"],
    "domain": lambda r: r["id"]["domain"],
}
SORT_KEYS = {
    **dict.fromkeys(("created_at", "execution_created_at", "started_at"), lambda r: r["_seq"]),
    **dict.fromkeys(
        ("updated_at", "execution_updated_at"), lambda r: (r["closure"]["updated_at"], r["_seq"])
    ),
    "name": lambda r: r["id"]["name"],
    "phase": lambda r: r["closure"]["phase"],
}


class ApiError(Exception):
    """A failed call, carrying its gRPC status code, message and details."""

    def __init__(self, code: int, message: str, details: list | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details or []


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _rfc3339(moment: datetime) -> str:
    micros = moment.microsecond
    frac = (
        "" if not micros else f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def _normalize(value: Any, keys_are_data: bool = False) -> Any:
    """Convert an opaque protobuf JSON value to proto names (map keys kept) and int64 to strings."""
    if isinstance(value, list):
        return [_normalize(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        name = key if keys_are_data else _snake(key)
        if not keys_are_data and name == "generic":  # google.protobuf.Struct: free-form JSON
            out[name] = item
        elif not keys_are_data and name in INT64_FIELDS and type(item) is int:
            out[name] = str(item)
        else:
            out[name] = _normalize(item, not keys_are_data and name in MAP_FIELDS)
    return out


def _field(kind: str, name: str, raw: Any) -> Any:
    """Decode one field the way protojson does; raise InvalidArgument when it would refuse it."""
    bad = ApiError(
        INVALID_ARGUMENT, f"proto: invalid value for field {_camel(name)}: {json.dumps(raw)}"
    )
    if kind in MESSAGES:
        return _decode(kind, raw, name)
    if kind == "s" and isinstance(raw, str) or kind in ("b", "wb") and isinstance(raw, bool):
        return raw
    if kind in ("i32", "i64"):
        if type(raw) is float and raw.is_integer():
            raw = int(raw)
        if not (type(raw) is int or isinstance(raw, str) and INT_RE.fullmatch(raw)):
            raise bad
        number, bits = int(raw), 31 if kind == "i32" else 63
        if not -(2**bits) <= number < 2**bits:
            raise bad
        return number if kind == "i32" else str(number)
    if kind == "enum" and (raw in ENUMS[name] or type(raw) is int):
        return ENUMS[name][raw] if type(raw) is int and 0 <= raw < len(ENUMS[name]) else raw
    if kind == "ts" and isinstance(raw, str) and TS_RE.fullmatch(raw):
        return raw
    if kind == "any" and isinstance(raw, dict) or kind == "list" and isinstance(raw, list):
        return _normalize(raw)
    raise bad


def _decode(message: str, value: Any, name: str = "") -> dict:
    """Decode a JSON object into the proto-named fields of ``message`` (null means unset)."""
    if not isinstance(value, dict):
        raise ApiError(
            INVALID_ARGUMENT, f"proto: invalid value for message field {_camel(name) or message}"
        )
    fields, out, seen = MESSAGES[message], {}, set()
    for key, raw in value.items():
        proto_name = key if key in fields else _snake(key)
        if proto_name not in fields or key not in (proto_name, _camel(proto_name)):
            raise ApiError(INVALID_ARGUMENT, f'proto: unknown field "{key}"')
        if proto_name in seen:
            raise ApiError(INVALID_ARGUMENT, f'proto: duplicate field "{key}"')
        seen.add(proto_name)
        if raw is not None:
            out[proto_name] = _field(fields[proto_name], proto_name, raw)
    return out


def _full(message: str, data: dict) -> dict:
    """Fill every unset field with its default, as grpc-gateway's EmitUnpopulated does."""
    out = {}
    for name, kind in MESSAGES[message].items():
        if name in data:
            out[name] = _full(kind, data[name]) if kind in MESSAGES else data[name]
        else:
            out[name] = ENUMS[name][0] if kind == "enum" else copy.copy(DEFAULTS.get(kind))
    return out


def _key(ex_id: dict) -> tuple[str, str, str, str]:
    return (
        ex_id.get("org", ""),
        ex_id.get("project", ""),
        ex_id.get("domain", ""),
        ex_id.get("name", ""),
    )


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    if len({key for key, _ in pairs}) != len(pairs):
        raise ValueError("duplicate key in object")
    return dict(pairs)


def _no_constants(token: str) -> None:
    raise ValueError(f"invalid value {token}")


async def _body(request: Request, message: str) -> dict:
    """Parse the JSON body into ``message``; an empty body is an empty message (grpc-gateway)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw, object_pairs_hook=_unique_keys, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(INVALID_ARGUMENT, f"proto: syntax error: {exc}") from None
    if not isinstance(value, dict):
        raise ApiError(
            INVALID_ARGUMENT,
            f"proto: syntax error: expected a JSON object, got {type(value).__name__}",
        )
    return _decode(message, value)


def _query(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    """Known query parameters (proto or JSON name) to their single value; others are ignored."""
    aliases = {
        alias: field
        for field in fields
        for alias in (field, ".".join(map(_camel, field.split("."))))
    }
    out: dict[str, str] = {}
    for key in dict.fromkeys(request.query_params.keys()):
        if key in aliases:
            values = request.query_params.getlist(key)
            if len(values) > 1 or aliases[key] in out:
                raise ApiError(
                    INVALID_ARGUMENT,
                    f'too many values for field "{aliases[key]}": {", ".join(values)}',
                )
            out[aliases[key]] = values[0]
    return out


def _int_param(name: str, raw: str, low: int, high: int) -> int:
    """Parse an integer query parameter like grpc-gateway (no sign allowed for unsigned fields)."""
    if not INT_RE.fullmatch(raw) or low == 0 and raw[0] in "+-" or not low <= int(raw) <= high:
        raise ApiError(INVALID_ARGUMENT, f'parsing field "{name}": invalid value "{raw}"')
    return int(raw)


class FlyteAdminSimulator:
    """In-memory execution store and the seven REST endpoints operating on it."""

    def __init__(self) -> None:
        self.executions: dict[tuple[str, str, str, str], dict] = {}
        self.sequence = 0

    def routes(self) -> list[Route]:
        """Starlette routes, with the paths of the Flyte Admin OpenAPI document."""
        base = "/api/v1/executions"
        return [
            Route(base, self.create_execution, methods=["POST"]),
            Route(f"{base}/recover", self.recover_execution, methods=["POST"]),
            Route(f"{base}/relaunch", self.relaunch_execution, methods=["POST"]),
            Route(base + "/{project}/{domain}", self.list_executions, methods=["GET"]),
            Route(base + "/{project}/{domain}/{name}", self.get_execution, methods=["GET"]),
            Route(
                base + "/{project}/{domain}/{name}", self.terminate_execution, methods=["DELETE"]
            ),
            Route(
                "/api/v1/metrics/executions/{project}/{domain}/{name}",
                self.get_execution_metrics,
                methods=["GET"],
            ),
        ]

    def _find(self, ex_id: dict) -> dict:
        if _key(ex_id) not in self.executions:
            fields = ["project", "domain", "name"] + (["org"] if ex_id.get("org") else [])
            text = " ".join(f"{field}:{json.dumps(ex_id.get(field, ''))}" for field in fields)
            raise ApiError(NOT_FOUND, f"missing entity of type execution with identifier {text}")
        return self.executions[_key(ex_id)]

    def _launch(self, request: dict) -> dict:
        """Validate a create request like flyteadmin, store the execution and return its id."""
        for field in ("project", "domain"):
            if not request.get(field):
                raise ApiError(INVALID_ARGUMENT, f"missing {field}")
        name, spec = request.get("name", ""), request.get("spec")
        if len(name) > 20:
            raise ApiError(INVALID_ARGUMENT, f"size of name exceeded length 20 : {name.lower()}")
        if name and not NAME_RE.fullmatch(name.lower()):
            raise ApiError(INVALID_ARGUMENT, f"invalid name format: {name.lower()}")
        if spec is None:
            raise ApiError(INVALID_ARGUMENT, "missing spec")
        if "launch_plan" not in spec:
            raise ApiError(INVALID_ARGUMENT, "missing id")
        launch_plan = _full("Identifier", spec["launch_plan"])
        for field in ("project", "domain", "name", "version"):
            if not launch_plan[field]:
                raise ApiError(INVALID_ARGUMENT, f"missing {field}")
        if launch_plan["resource_type"] not in ("LAUNCH_PLAN", "TASK"):
            raise ApiError(
                INVALID_ARGUMENT,
                f"Invalid reference entity resource type [{launch_plan['resource_type']}]"
                ", only [map[LAUNCH_PLAN:<nil> TASK:<nil>]] allowed",
            )
        inputs = (
            request.get("inputs")
            if (request.get("inputs") or {}).get("literals")
            else spec.get("inputs")
        )
        literals = (inputs or {}).get("literals", {})
        for literal_name, literal in (
            literals.items() if isinstance(literals, dict) else [("", None)]
        ):
            if not literal_name:
                raise ApiError(INVALID_ARGUMENT, "missing key in inputs")
            if not isinstance(literal, dict) or not LITERAL_VALUES & set(literal):
                raise ApiError(INVALID_ARGUMENT, f"missing valid literal in inputs {literal_name}")
        ex_id = {field: request.get(field, "") for field in ("project", "domain", "name", "org")}
        while not ex_id["name"] or _key(ex_id) in self.executions:
            if name:
                raise ApiError(
                    ALREADY_EXISTS,
                    "value with matching already exists (duplicate key value violates "
                    'unique constraint "executions_pkey")',
                )
            ex_id["name"] = "a" + secrets.token_hex(10)[:19]
        spec = copy.deepcopy(spec)
        spec.setdefault("metadata", {})["principal"] = ""
        now = _rfc3339(datetime.now(UTC))
        self.sequence += 1
        self.executions[_key(ex_id)] = {
            "id": ex_id,
            "spec": _full("ExecutionSpec", spec),
            "_spec": spec,
            "_inputs": inputs,
            "_seq": self.sequence,
            "_started": datetime.now(UTC),
            "closure": {
                "computed_inputs": inputs,
                "phase": "RUNNING",
                "started_at": now,
                "duration": "0s",
                "created_at": now,
                "updated_at": now,
                "notifications": (spec.get("notifications") or {}).get("notifications", []),
                "workflow_id": {**launch_plan, "resource_type": "WORKFLOW"},
                "state_change_details": {
                    "state": "EXECUTION_ACTIVE",
                    "occurred_at": now,
                    "principal": "",
                },
            },
        }
        return {"id": ex_id}

    async def create_execution(self, request: Request) -> JSONResponse:
        """POST /api/v1/executions (CreateExecution)."""
        return JSONResponse(self._launch(await _body(request, "ExecutionCreateRequest")))

    def _relaunch_like(self, body: dict, mode: str) -> JSONResponse:
        if "id" not in body:
            raise ApiError(INVALID_ARGUMENT, "missing id")
        original = self._find(body["id"])
        spec = copy.deepcopy(original["_spec"])
        metadata = spec.setdefault("metadata", {})
        metadata.update(mode=mode, reference_execution=original["id"])
        if mode == "RECOVERED" and "parent_node_execution" in body.get("metadata", {}):
            metadata["parent_node_execution"] = body["metadata"]["parent_node_execution"]
        if mode == "RELAUNCH":
            spec["overwrite_cache"] = body.get("overwrite_cache", False)
        return JSONResponse(
            self._launch(
                {
                    **original["id"],
                    "name": body.get("name", ""),
                    "spec": spec,
                    "inputs": original["_inputs"],
                }
            )
        )

    async def recover_execution(self, request: Request) -> JSONResponse:
        """POST /api/v1/executions/recover (RecoverExecution): a copy in mode RECOVERED."""
        return self._relaunch_like(await _body(request, "ExecutionRecoverRequest"), "RECOVERED")

    async def relaunch_execution(self, request: Request) -> JSONResponse:
        """POST /api/v1/executions/relaunch (RelaunchExecution): a copy in mode RELAUNCH."""
        return self._relaunch_like(await _body(request, "ExecutionRelaunchRequest"), "RELAUNCH")

    async def list_executions(self, request: Request) -> JSONResponse:
        """GET /api/v1/executions/{id.project}/{id.domain} (ListExecutions).

        ``limit`` is required (1..2^32-1); ``token`` is the decimal offset of the page; ``filters``
        takes flyteadmin's ``func(field,value)`` expressions joined by ``+`` on the fields phase,
        name, project and domain. Without ``sort_by`` the newest execution comes first (created_at
        descending); like flyteadmin the next token is set whenever a page is full.
        """
        fields = (
            "id.name",
            "id.org",
            "limit",
            "token",
            "filters",
            "sort_by.key",
            "sort_by.direction",
        )
        query = _query(request, fields)
        limit = _int_param("limit", query["limit"], 0, 2**32 - 1) if "limit" in query else 0
        if limit == 0:
            raise ApiError(INVALID_ARGUMENT, "invalid value for limit")
        wanted = {
            **request.path_params,
            "org": query.get("id.org", ""),
            "name": query.get("id.name", ""),
        }
        records = [
            r
            for r in self.executions.values()
            if all(r["id"][key] == value for key, value in wanted.items() if value or key == "org")
        ]
        for expression in query["filters"].split("+") if query.get("filters") else []:
            predicate = self._filter(expression)
            records = [r for r in records if predicate(r)]
        key, direction = "created_at", "DESCENDING"
        if "sort_by.key" in query or "sort_by.direction" in query:
            key, direction = query.get("sort_by.key", ""), query.get(
                "sort_by.direction", "DESCENDING"
            )
            direction = {"0": "DESCENDING", "1": "ASCENDING"}.get(direction, direction)
            if key not in SORT_KEYS:
                raise ApiError(INVALID_ARGUMENT, f"invalid sort key '{key}'")
            if direction not in ("DESCENDING", "ASCENDING"):
                raise ApiError(INVALID_ARGUMENT, f"invalid sort order specified: {direction}")
        token = query.get("token", "")
        if token and (not INT_RE.fullmatch(token) or int(token) < 0):
            raise ApiError(INVALID_ARGUMENT, f"invalid pagination token {token} for ListExecutions")
        offset = int(token or 0)
        records.sort(key=SORT_KEYS[key], reverse=direction == "DESCENDING")
        page = records[offset : offset + limit]
        executions = [
            {
                "id": r["id"],
                "spec": {**r["spec"], "inputs": None},
                "closure": {**r["closure"], "computed_inputs": None},
            }
            for r in page
        ]
        next_token = str(offset + len(page)) if len(page) == limit else ""
        return JSONResponse({"executions": executions, "token": next_token})

    @staticmethod
    def _filter(expression: str):
        match = FILTER_RE.search(expression)
        if not match:
            raise ApiError(INVALID_ARGUMENT, "invalid value for filters")
        function, field, raw_value = match.groups()
        column = field.removeprefix("execution.")
        if (
            column not in FILTER_FIELDS
        ):  # flyteadmin also allows launch_plan./workflow./task. columns
            raise ApiError(INVALID_ARGUMENT, f"'execution.{column}' is invalid filter")
        if function not in FILTER_FUNCS:
            raise ApiError(INVALID_ARGUMENT, f"unrecognized filter function: {function}")
        values, repeated = raw_value.split(";"), function.startswith("value_")
        if (len(values) > 1) != repeated:
            kind = "repeated" if len(values) > 1 else "single"
            raise ApiError(INVALID_ARGUMENT, f"invalid {kind} value filter expression: {function}")
        value = values if repeated else values[0]
        return lambda record: FILTER_FUNCS[function](FILTER_FIELDS[column](record), value)

    async def get_execution(self, request: Request) -> JSONResponse:
        """GET /api/v1/executions/{id.project}/{id.domain}/{id.name} (GetExecution)."""
        record = self._find(
            {**request.path_params, "org": _query(request, ("id.org",)).get("id.org", "")}
        )
        return JSONResponse({key: record[key] for key in ("id", "spec", "closure")})

    async def terminate_execution(self, request: Request) -> JSONResponse:
        """DELETE /api/v1/executions/{id.project}/{id.domain}/{id.name} (TerminateExecution)."""
        body = await _body(request, "ExecutionTerminateRequest")
        record = self._find({**request.path_params, "org": body.get("id", {}).get("org", "")})
        closure = record["closure"]
        if closure["phase"] in TERMINAL_PHASES:  # upstream wording, sic
            raise ApiError(
                FAILED_PRECONDITION,
                "Cannot abort an already terminate workflow execution",
                [
                    {
                        "@type": "type.googleapis.com/flyteidl.admin.EventFailureReason",
                        "already_in_terminal_state": {"current_phase": closure["phase"]},
                    }
                ],
            )
        now = datetime.now(UTC)
        cause = body.get("cause", "")
        closure.update(
            phase="ABORTED",
            updated_at=_rfc3339(now),
            abort_cause=cause,
            abort_metadata={"cause": cause, "principal": ""},
            duration=f"{(now - record['_started']).total_seconds():.6f}s",
        )
        return JSONResponse({})

    async def get_execution_metrics(self, request: Request) -> JSONResponse:
        """GET /api/v1/metrics/executions/{...} (GetExecutionMetrics); ``depth`` defaults to 10."""
        query = _query(request, ("id.org", "depth"))
        depth = _int_param("depth", query["depth"], -(2**31), 2**31 - 1) if "depth" in query else 10
        record = self._find({**request.path_params, "org": query.get("id.org", "")})
        start, end = record["closure"]["created_at"], record["closure"]["updated_at"]
        setup = {
            "start_time": start,
            "end_time": end,
            "operation_id": "WORKFLOW_SETUP",
            "spans": [],
        }
        spans = [setup] if depth > 0 else []
        span = {"start_time": start, "end_time": end, "workflow_id": record["id"], "spans": spans}
        return JSONResponse({"span": span})


async def _error_response(_: Request, exc: Exception) -> JSONResponse:
    """Render an error as grpc-gateway does (routing errors become NotFound or Unimplemented)."""
    if isinstance(exc, HTTPException):
        not_allowed = exc.status_code == 405
        exc = (
            ApiError(UNIMPLEMENTED, "Method Not Allowed")
            if not_allowed
            else ApiError(NOT_FOUND, "Not Found")
        )
    assert isinstance(exc, ApiError)
    status = 405 if exc.code == UNIMPLEMENTED else HTTP_STATUS[exc.code]
    return JSONResponse({"code": exc.code, "message": exc.message, "details": exc.details}, status)


def create_app() -> Starlette:
    """Build a simulator app with fresh, empty state (exposed as ``app.state.simulator``)."""
    simulator = FlyteAdminSimulator()
    handlers = {ApiError: _error_response, HTTPException: _error_response}
    app = Starlette(routes=simulator.routes(), exception_handlers=handlers)
    app.router.redirect_slashes = False
    app.state.simulator = simulator
    return app


def main(argv: list[str] | None = None) -> None:
    """Command line entry point: serve a fresh simulator until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator.flyte_admin", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=30080, help="TCP port, 0 for any free port (default 30080)"
    )
    parser.add_argument(
        "--log-level", default="warning", help="uvicorn log level (default warning)"
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"port out of range: {args.port}")
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, keep-alive clients wait ~40 ms per
    # answer (Nagle on our two writes against their delayed ACK).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        parser.exit(1, f"cannot bind {args.host}:{args.port}: {exc}\n")
    sock.listen(128)  # connections queue from now on, so the announced address is usable at once
    print(
        f"flyte-admin simulator listening on http://{args.host}:{sock.getsockname()[1]}", flush=True
    )
    config = uvicorn.Config(
        create_app(), log_level=args.log_level, lifespan="off", access_log=False
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
