"""Avro answers decoded for output shaping (fastavro), with the schema ``outputSchema`` names."""

from __future__ import annotations

import base64
import datetime
import decimal
import functools
import io
import uuid
from typing import Any

import fastavro

from .answer_schemas import answer_schema
from .decoders import Decoder
from .exchange import UpstreamResponse


@functools.cache
def avro_decoder(schema_file: str) -> Decoder:
    """A decoder of answers holding one Avro datum in the binary encoding, written with the
    embedded schema read from ``schema_file``; records become objects, ``bytes`` and
    ``fixed`` base64 strings, logical types their JSON text (decimals, dates, UUIDs)."""
    schema = fastavro.parse_schema(answer_schema(schema_file))

    def decode_avro(upstream: UpstreamResponse) -> Any:
        stream = io.BytesIO(upstream.content)
        try:
            datum = fastavro.schemaless_reader(stream, schema, None)
        except (EOFError, IndexError, OverflowError, ValueError) as error:
            # truncated data, a union or enum index out of range, bad UTF-8, bad lengths
            raise ValueError(
                f"invalid Avro data for {schema_file}: {error!r}"
            ) from None
        if stream.tell() != len(upstream.content):
            raise ValueError(
                f"invalid Avro data for {schema_file}: "
                f"{len(upstream.content) - stream.tell()} bytes after the datum"
            )
        return _plain(datum)

    return decode_avro


def _plain(value: Any) -> Any:
    """An Avro value as JSON data."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value
