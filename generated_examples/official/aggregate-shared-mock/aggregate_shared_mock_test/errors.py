"""Errors the adapters turn into answers: a caller's bad input, an upstream that failed, a
failed step of an orchestrated operation."""

from __future__ import annotations

import logging
import uuid
from typing import Any


def log_unexpected(logger: logging.Logger, what: str, error: BaseException) -> str:
    """Log an unexpected failure of ``what`` once, with its traceback, under a new request
    id, and return the id (the answer names it instead of the failure's text)."""
    request_id = uuid.uuid4().hex[:16]
    logger.error(
        "request %s: %s failed unexpectedly: %s",
        request_id,
        what,
        type(error).__name__,
        exc_info=error,
    )
    return request_id


class UpstreamError(Exception):
    """The upstream could not be reached, did not answer in time, or answered too much."""

    def __init__(
        self, namespace: str, operation: str, status: int, title: str, detail: str
    ):
        super().__init__(f"{namespace}.{operation}: {detail}")
        self.namespace = namespace
        self.operation = operation
        self.status = status
        self.title = title
        self.detail = detail


class InputError(Exception):
    """A caller's input is missing or invalid."""

    def __init__(self, field: str, location: str, message: str, status: int = 422):
        super().__init__(f"{location} {field!r}: {message}")
        self.field = field
        self.location = location
        self.message = message
        self.status = status


class StepFailed(Exception):
    """A step of an orchestrated operation failed; the later steps are not run."""

    def __init__(self, step: str, detail: str, status: int) -> None:
        super().__init__(f"step {step!r}: {detail}")
        self.step = step
        self.detail = detail
        self.status = status


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem-details body."""
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
