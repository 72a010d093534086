"""The schemas of answers (``outputSchema`` files: Avro, Protobuf), read at build time from
the spec's folder and embedded in the package as ``answer_schemas.json``."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.cache
def answer_schemas() -> dict[str, Any]:
    """Every embedded schema, keyed by its path relative to the spec's folder."""
    data = (
        resources.files(__package__).joinpath("answer_schemas.json").read_text("utf-8")
    )
    schemas: dict[str, Any] = json.loads(data)
    return schemas


def answer_schema(name: str) -> Any:
    """The embedded schema read from ``name`` (a path relative to the spec's folder)."""
    return answer_schemas()[name]
