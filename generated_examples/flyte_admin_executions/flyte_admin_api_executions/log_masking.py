"""Bound-variable values masked in every log line (httpx logs each request URL)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

import httpx


class SecretMask(logging.Filter):
    """Replaces bound-variable values in log records with ``***``.

    httpx logs every request URL at INFO, and a URL can hold a credential (an API key in
    the query, a secret in a templated parameter).
    """

    def __init__(self) -> None:
        super().__init__()
        self.needles: tuple[str, ...] = ()

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record's message; never drops a record."""
        if self.needles:
            message = record.getMessage()
            masked = message
            for needle in self.needles:
                masked = masked.replace(needle, "***")
            if masked != message:
                record.msg, record.args = masked, None
        return True


SECRET_MASK = SecretMask()
_MASKED_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.proxy")


def mask_secrets_in_logs(secrets: Iterable[str]) -> None:
    """Mask ``secrets`` (as written and as URL-encoded) in every log line.

    The mask is attached to the loggers of httpx and httpcore and to the handlers of the
    root logger present now (``python -m`` configures them before the servers start).
    """
    needles = set(SECRET_MASK.needles)
    for secret in secrets:
        if secret:
            needles.update(
                (
                    secret,
                    quote(secret, safe=""),
                    str(httpx.QueryParams({"": secret}))[1:],
                )
            )
    SECRET_MASK.needles = tuple(sorted(needles, key=len, reverse=True))
    targets: list[logging.Filterer] = [
        logging.getLogger(name) for name in _MASKED_LOGGERS
    ]
    targets += logging.getLogger().handlers
    for target in targets:
        if SECRET_MASK not in target.filters:
            target.addFilter(SECRET_MASK)
