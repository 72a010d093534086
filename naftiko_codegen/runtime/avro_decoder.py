"""Avro answers decoded for output shaping (fastavro), with the schema ``outputSchema`` names."""

from __future__ import annotations

import functools
import io
from typing import Any

import fastavro

from .answer_schemas import answer_schema
from .decoded_values import json_data
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
        return json_data(datum)

    return decode_avro
