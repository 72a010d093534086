"""Secrets masked in log lines (naftiko_codegen/runtime/log_masking.py)."""

from __future__ import annotations

import logging
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
