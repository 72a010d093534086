"""Secrets masked in log lines (naftiko_codegen/runtime/log_masking.py)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from naftiko_codegen.runtime import log_masking


@pytest.fixture
def records() -> Iterator[list[str]]:
    """What httpx's logger emits, after the filters."""
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger = logging.getLogger("httpx")
    handler = Collect()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield seen
    logger.removeHandler(handler)
    logger.setLevel(level)
    for target in [logger, *logging.getLogger().handlers]:
        target.removeFilter(log_masking.SECRET_MASK)
    log_masking.SECRET_MASK.needles = ()
    log_masking.SECRET_MASK.query = None


def test_secrets_are_masked_as_written_and_url_encoded(records: list[str]) -> None:
    log_masking.mask_secrets_in_logs(["s3cr et/+", ""])
    logging.getLogger("httpx").info("GET %s", "https://x.test/?key=s3cr+et%2F%2B&raw=s3cr et/+")
    logging.getLogger("httpx").info("GET /s3cr%20et%2F%2B")
    assert records == ["GET https://x.test/?key=***&raw=***", "GET /***"]


def test_the_mask_is_attached_once(records: list[str]) -> None:
    log_masking.mask_secrets_in_logs(["a1"])
    log_masking.mask_secrets_in_logs(["b2"])
    filters = logging.getLogger("httpx").filters
    assert filters.count(log_masking.SECRET_MASK) == 1
    logging.getLogger("httpx").info("a1 b2 c3")
    assert records == ["*** *** c3"]


def test_arguments_are_masked_one_by_one_and_keep_their_shape(records: list[str]) -> None:
    """uvicorn's access formatter unpacks the record's five arguments itself."""
    log_masking.mask_secrets_in_logs(["k3y"], ["api_key"])
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/a/k3y?api_key=client-key&b=1", "1.1", 200),
        None,
    )
    assert log_masking.SECRET_MASK.filter(record)
    assert isinstance(record.args, tuple) and len(record.args) == 5
    assert record.getMessage() == '127.0.0.1:5 - "GET /a/***?api_key=***&b=1 HTTP/1.1" 200'


def test_credential_query_values_and_tracebacks_are_masked(records: list[str]) -> None:
    log_masking.mask_secrets_in_logs([], ["hapikey"])
    logger = logging.getLogger("httpx")
    logger.info("GET /x?hapikey=abc123 and /y?a=1&hapikey=def")
    try:
        raise ValueError("https://u.test/?hapikey=zzz9")
    except ValueError:
        record = logger.makeRecord("httpx", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    log_masking.SECRET_MASK.filter(record)
    assert records == ["GET /x?hapikey=*** and /y?a=1&hapikey=***"]
    assert record.exc_text is not None and "zzz9" not in record.exc_text
    assert "hapikey=***" in record.exc_text


def test_uvicorn_loggers_keep_the_mask_when_uvicorn_configures_logging() -> None:
    import logging.config

    from uvicorn.config import LOGGING_CONFIG

    log_masking.mask_secrets_in_logs(["x"])
    try:
        logging.config.dictConfig(LOGGING_CONFIG)
        for name in ("uvicorn.access", "uvicorn.error"):
            assert log_masking.SECRET_MASK in logging.getLogger(name).filters
    finally:
        for name in log_masking.MASKED_LOGGERS:
            logging.getLogger(name).removeFilter(log_masking.SECRET_MASK)
        log_masking.SECRET_MASK.needles = ()
