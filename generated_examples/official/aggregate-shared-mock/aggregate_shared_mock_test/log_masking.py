"""One logging policy for every line the process writes (its own loggers, uvicorn's access
and error logs, httpx's request lines, the MCP SDK's): configured secret values, and the
values of query parameters that carry credentials, are written ``***``."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import httpx


class SecretMask(logging.Filter):
    """Replaces bound-variable values and credential query values in log records with
    ``***``: in the message, in each argument (uvicorn's access formatter reads them one by
    one) and in the traceback text."""

    def __init__(self) -> None:
        super().__init__()
        self.needles: tuple[str, ...] = ()
        self.query: re.Pattern[str] | None = None

    def mask(self, text: str) -> str:
        """``text`` with every secret and credential query value masked."""
        for needle in self.needles:
            text = text.replace(needle, "***")
        if self.query is not None:
            text = self.query.sub(r"\1***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; never drops a record."""
        if not self.needles and self.query is None:
            return True
        if isinstance(record.msg, str):
            record.msg = self.mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._masked(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: self._masked(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        return True

    def _masked(self, arg: Any) -> Any:
        if isinstance(arg, str):
            return self.mask(arg)
        if isinstance(arg, (bytes, int, float)) or arg is None:
            return arg
        text = str(arg)
        masked = self.mask(text)
        return arg if masked == text else masked


SECRET_MASK = SecretMask()
MASKED_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.proxy",
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
)
"""Loggers masked at the source: uvicorn's replace their handlers when its server starts,
and a logger's own filters stay."""


def mask_secrets_in_logs(
    secrets: Iterable[str], credential_queries: Iterable[str] = ()
) -> None:
    """Mask ``secrets`` (as written, URL-encoded and query-encoded) and the values of the
    query parameters ``credential_queries`` in every log line.

    The mask is attached to :data:`MASKED_LOGGERS` and to the handlers of the root logger
    present now (``python -m`` configures them before the servers start), which every
    other logger (the package's own, the MCP SDK's) propagates to.
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
    names = sorted({quote(name, safe="") for name in credential_queries if name})
    if names:
        alternatives = "|".join(re.escape(name) for name in names)
        SECRET_MASK.query = re.compile(rf"([?&](?:{alternatives})=)[^&\s\"']*")
    targets: list[logging.Filterer] = [
        logging.getLogger(name) for name in MASKED_LOGGERS
    ]
    targets += logging.getLogger().handlers
    for target in targets:
        if SECRET_MASK not in target.filters:
            target.addFilter(SECRET_MASK)
