"""Lowering of output parameters: passthrough, JSONPath shaping, and mock values."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .. import ir
from ..diagnostics import Path
from .answer_formats import SCHEMA_FORMATS
from .context import Diagnostics
from .scope import Scope
from .values import Values

_PASSTHROUGH = {"$", "$."}
_STEP = re.compile(
    r"""\.(?P<key>[A-Za-z_$@-][\w$@-]*)      # .name
    |\.\*|\[\*\]                              # .* or [*]
    |\[(?P<index>-?\d+)\]                     # [0]
    |\[(?P<quote>['"])(?P<quoted>.*?)(?P=quote)\]  # ['name with spaces']
    """,
    re.VERBOSE,
)


class JsonPathError(ValueError):
    """A JSONPath outside the compiled subset."""


def compile_jsonpath(expression: str) -> tuple[ir.PathStep, ...]:
    """Compile ``$.a.b[0]``, ``$['a b']``, ``$.items[*].name`` into steps.

    Filters, slices, recursive descent and unions are outside the subset.
    """
    text = expression.strip()
    if not text.startswith("$"):
        raise JsonPathError(f"{expression!r} does not start with `$`")
    position, steps = 1, []
    if text in _PASSTHROUGH:
        return ()
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            raise JsonPathError(
                f"{expression!r}: unsupported JSONPath syntax at {text[position:]!r} "
                "(supported: `.name`, `['name']`, `[n]`, `[*]`)"
            )
        if match.group("key") is not None:
            steps.append(ir.PathStep("key", key=match.group("key")))
        elif match.group("index") is not None:
            steps.append(ir.PathStep("index", index=int(match.group("index"))))
        elif match.group("quoted") is not None:
            steps.append(ir.PathStep("key", key=match.group("quoted")))
        else:
            steps.append(ir.PathStep("all"))
        position = match.end()
    return tuple(steps)


DECODED_FORMATS = {
    *("json", "xml", "csv", "tsv", "psv", "yaml", "text"),
    *("html", "markdown", "avro", "protobuf"),
}
"""``outputRawFormat`` values whose answers can be shaped (others pass through only)."""


@dataclasses.dataclass(eq=False)
class Outputs:
    """Builds :class:`ir.Output` values."""

    diagnostics: Diagnostics
    values: Values

    def check_format(self, invocation: ir.Invocation | None, output: ir.Output, path: Path) -> None:
        """Skip (with a warning) an operation shaping a format the generated code cannot decode."""
        if invocation is None or output.kind != "shaped":
            return
        raw = invocation.operation.raw_format
        if raw not in DECODED_FORMATS:
            raise self.diagnostics.skip(
                path + ("outputParameters",),
                "NG211",
                f"answers in `outputRawFormat: {raw}` cannot be mapped to typed outputs",
                expected=", ".join(sorted(DECODED_FORMATS)),
                hint="return the answer unchanged (`mapping: $.`) or use a supported format",
            )
        if raw in SCHEMA_FORMATS and invocation.operation.answer_schema is None:
            raise self.diagnostics.skip(
                path + ("outputParameters",),
                "NG102",
                f"answers in `outputRawFormat: {raw}` can only be decoded with their schema, "
                f"and `{invocation.operation.namespace}.{invocation.operation.name}` names "
                "none in `outputSchema`",
                expected=f"outputSchema: <the {'.avsc' if raw == 'avro' else '.proto'} file>",
                hint="name the schema file, relative to the spec's folder, in the consumed "
                "operation's `outputSchema`, or return the answer unchanged (`mapping: $.`)",
            )

    def output(
        self,
        spec: Mapping[str, Any],
        path: Path,
        scope: Scope | None = None,
        *,
        mock: bool = False,
    ) -> ir.Output:
        """The exposed output of an operation or tool.

        A single ``$.`` parameter without properties passes the upstream body through;
        typed parameters build the declared shape from JSONPath mappings; without a
        ``call`` (``mock``), named ``value`` parameters answer on their own.
        """
        outputs: Sequence[Mapping[str, Any]] = spec.get("outputParameters") or []
        base = path + ("outputParameters",)
        if not outputs:
            return ir.Output("passthrough", None)
        if not mock and len(outputs) == 1 and self.is_passthrough(outputs[0]):
            kind = outputs[0].get("type")
            return ir.Output("passthrough", {"type": "object"} if kind == "object" else None)
        if len(outputs) == 1 and "name" not in outputs[0]:
            shape = self.shape(outputs[0], base + (0,), scope, mock=mock)
        else:
            shape = ir.ObjectShape(
                properties=tuple(
                    (
                        str(item.get("name", f"value{index}")),
                        self.shape(item, base + (index,), scope, mock=mock),
                    )
                    for index, item in enumerate(outputs)
                ),
            )
        return ir.Output("mock" if mock else "shaped", shape.json_schema, shape)

    @staticmethod
    def is_passthrough(output: Mapping[str, Any]) -> bool:
        """``{type: object, mapping: $.}`` (or ``value: $.``) with no properties or items."""
        selector = output.get("mapping", output.get("value", "$."))
        return selector in _PASSTHROUGH and "properties" not in output and "items" not in output

    def shape(
        self,
        spec: Mapping[str, Any],
        path: Path,
        scope: Scope | None,
        *,
        mock: bool,
    ) -> ir.Shape:
        """One (possibly nested) output parameter."""
        kind = spec.get("type", "string")
        value = None
        steps: tuple[ir.PathStep, ...] | None = None
        if "value" in spec and (mock or not str(spec["value"]).startswith("$")):
            value = self.values.compile(spec["value"], path + ("value",), scope)
            if not mock and ir.read_inputs(value):
                raise self.diagnostics.skip(
                    path + ("value",),
                    "NG211",
                    "output templates over inputs are only generated for mock outputs",
                )
        else:
            selector = spec.get("mapping", spec.get("value"))
            if selector is not None:
                try:
                    steps = compile_jsonpath(str(selector))
                except JsonPathError as error:
                    raise self.diagnostics.skip(path + ("mapping",), "NG211", str(error)) from None
        if mock and value is None and kind not in ("object", "array"):
            raise self.diagnostics.skip(path, "NG211", "a mock output needs a `value`")
        if value is not None:
            return ir.ValueShape(kind, value)
        if kind == "object":
            properties = tuple(
                (name, self.shape(child, path + ("properties", name), scope, mock=mock))
                for name, child in sorted((spec.get("properties") or {}).items())
            )
            return ir.ObjectShape(steps or None, properties)
        if kind == "array":
            items = None
            if "items" in spec:
                items = self.shape(spec["items"], path + ("items",), scope, mock=mock)
            return ir.ArrayShape(steps or None, items)
        return ir.ScalarShape(kind, steps or None)


def contract_answer(operation: ir.ConsumedOperation) -> dict[str, Any] | None:
    """The JSON Schema of the success answer the upstream's OpenAPI document gives."""
    if operation.contract is None or operation.raw_format != "json":
        return None
    return operation.contract.response
