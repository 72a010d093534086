"""Lowering of ``outputSchema``: what a consumed operation's answer format is decoded with.

``html`` takes a CSS selector (checked with soupsieve, the selector engine the generated
package uses), ``markdown`` a heading prefix; ``avro`` and ``protobuf`` name a schema file
(a location: local, inside the spec's folder), read and compiled here, at build time, and
embedded in the generated package (``answer_schemas.json``), which never reads it again:
an Avro schema is checked with fastavro, a ``.proto`` compiled by protoc (grpcio-tools) into
a descriptor set. Other formats ignore ``outputSchema``, as the official engine does.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path as FilePath
from typing import Any

from .. import ir
from ..diagnostics import Path
from .context import Diagnostics
from .files import FileProblem, read_location, resolve_location

SCHEMA_FORMATS = ("avro", "protobuf")
"""Formats whose ``outputSchema`` names a schema file, without which they cannot be shaped."""
PROTOC_TIMEOUT_S = 60


class AnswerFormats:
    """Reads ``outputSchema`` for the format of a consumed operation."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self._read: dict[tuple[str, FilePath, str], ir.AnswerSchema] = {}
        """Schema files already read (several operations may name one), by format, folder
        and path."""

    def output_schema(
        self, spec: Mapping[str, Any], path: Path
    ) -> tuple[str | None, ir.AnswerSchema | None]:
        """The operation's ``outputSchema`` argument and the schema file it names, if any;
        a problem is a located error."""
        raw_format = str(spec.get("outputRawFormat", "json"))
        value = spec.get("outputSchema")
        if not isinstance(value, str) or not value.strip():
            return None, None
        where = path + ("outputSchema",)
        if raw_format == "html":
            import soupsieve  # 150 ms to import: only for specs with HTML answers

            try:
                soupsieve.compile(value)
            except soupsieve.SelectorSyntaxError as error:
                self.diagnostics.report(
                    where,
                    "NG103",
                    f"`outputSchema` is not a valid CSS selector: {str(error).splitlines()[0]}",
                )
                return None, None
            return value, None
        if raw_format == "markdown":
            return value, None
        if raw_format not in SCHEMA_FORMATS:
            return None, None
        try:
            schema = self.schema_file(raw_format, value)
        except FileProblem as problem:
            self.diagnostics.report(
                where,
                problem.code,
                f"`outputSchema` {value!r}: {problem.message}",
                **({"hint": problem.hint} if problem.hint else {}),
            )
            return None, None
        return schema.file, schema

    def schema_file(self, raw_format: str, location: str) -> ir.AnswerSchema:
        """The schema file ``location`` names, read and compiled (:class:`FileProblem`)."""
        directory = self.diagnostics.document.directory
        (found,) = read_location(location, directory, allow_dir=False)
        assert directory is not None  # read_location refuses specs without a folder
        relative = resolve_location(location, directory).relative_to(directory).as_posix()
        key = (raw_format, directory, relative)
        if key not in self._read:
            if raw_format == "avro":
                entry = avro_schema(found.data)
            else:
                entry = protobuf_schema(directory, relative)
            self._read[key] = ir.AnswerSchema(relative, json.dumps(entry, sort_keys=True))
        return self._read[key]


def avro_schema(data: bytes) -> Any:
    """An Avro schema (``.avsc``, JSON) checked by fastavro (:class:`FileProblem`)."""
    import fastavro  # only for specs with Avro answers

    try:
        schema = json.loads(data)
        fastavro.parse_schema(schema)
    except (ValueError, TypeError, KeyError, fastavro.schema.SchemaParseException) as error:
        raise FileProblem("NG103", f"not a valid Avro schema: {error}") from None
    return schema


def protobuf_schema(directory: FilePath, relative: str) -> dict[str, str]:
    """A ``.proto`` file compiled by protoc into a descriptor set (its imports resolved in
    the spec's folder and the well-known types), with its first message type."""
    if importlib.util.find_spec("grpc_tools") is None:
        raise FileProblem(
            "NG211",
            "compiling a .proto file needs grpcio-tools, which is not installed",
            "pip install 'naftiko-gen[protobuf]'",
        )
    well_known = resources.files("grpc_tools").joinpath("_proto")
    with tempfile.TemporaryDirectory() as scratch:
        output = FilePath(scratch) / "set.pb"
        command = [
            sys.executable, "-m", "grpc_tools.protoc", "-I.", f"-I{well_known}",
            "--include_imports", f"--descriptor_set_out={output}", relative,
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command,
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=PROTOC_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise FileProblem("NG103", "protoc did not finish compiling it") from None
        if done.returncode != 0:
            detail = " ".join(done.stderr.split()) or f"protoc exited with {done.returncode}"
            raise FileProblem("NG103", f"the .proto file does not compile: {detail}")
        data = output.read_bytes()
    return {"descriptorSet": base64.b64encode(data).decode("ascii"), "message": _root(data)}


def _root(data: bytes) -> str:
    """The full name of the first message type of the compiled file (the last of the set)."""
    from google.protobuf import descriptor_pb2

    files = descriptor_pb2.FileDescriptorSet.FromString(data).file
    compiled = files[-1]
    if not compiled.message_type:
        raise FileProblem("NG103", "the .proto file declares no message type")
    package = compiled.package + "." if compiled.package else ""
    return package + compiled.message_type[0].name
