"""Protobuf answers decoded for output shaping (the protobuf runtime), with the ``.proto``
``outputSchema`` names, compiled at build time into an embedded descriptor set."""

from __future__ import annotations

import base64
import functools
from typing import Any

from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    json_format,
    message_factory,
)
from google.protobuf.message import DecodeError

from .answer_schemas import answer_schema
from .decoders import Decoder
from .exchange import UpstreamResponse


@functools.cache
def protobuf_decoder(schema_file: str) -> Decoder:
    """A decoder of answers holding one message of the first message type declared in
    ``schema_file``, as JSON data: field names as declared, fields without presence with
    their default values, enums by name, 64-bit integers and bytes as strings (the
    canonical JSON mapping)."""
    schema = answer_schema(schema_file)
    files = descriptor_pb2.FileDescriptorSet.FromString(
        base64.b64decode(schema["descriptorSet"])
    )
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    message_class = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(schema["message"])
    )

    def decode_protobuf(upstream: UpstreamResponse) -> Any:
        try:
            message = message_class.FromString(upstream.content)
        except DecodeError as error:
            raise ValueError(f"invalid {schema['message']} message: {error}") from None
        return json_format.MessageToDict(
            message,
            preserving_proto_field_name=True,
            always_print_fields_with_no_presence=True,
        )

    return decode_protobuf
