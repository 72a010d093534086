"""The Python expressions written for IR nodes: values, context paths, shapes, paths and bodies.

One :class:`Emitter` writes the expressions of one generated module. It dispatches on the
class of the IR node (one method per kind of value source, template part and body) and
records every runtime helper the code it writes calls, so the module's imports are exactly
what its code uses. Spec text enters expressions only through
:func:`~naftiko_codegen.pylayout.py` and names only through
:func:`~naftiko_codegen.pylayout.ident`."""

from __future__ import annotations

import functools

from .. import ir
from ..pylayout import ident, layout, py

_PYTHON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list[Any]",
    "object": "dict[str, Any]",
}


def python_type(param: ir.ConsumedParam | ir.ExposedInput) -> str:
    """The Python annotation of a parameter's value."""
    return _PYTHON_TYPES[param.type]


COERCE = {
    "string": "as_string",
    "number": "as_number",
    "integer": "as_integer",
    "boolean": "as_boolean",
}
"""The runtime function converting a mapped value to each declared scalar type."""

SCHEMA_DECODERS = {"html", "markdown", "avro", "protobuf"}
"""Answer formats whose decoder is made for the operation's ``outputSchema``."""


def decoder_function(raw_format: str) -> str:
    """The runtime function that decodes ``raw_format`` answers (or makes their decoder)."""
    return f"{raw_format}_decoder" if raw_format in SCHEMA_DECODERS else f"decode_{raw_format}"


def selector_literal(steps: tuple[ir.PathStep, ...]) -> str:
    """A tuple literal of the keys and indices of a compiled JSONPath."""
    parts = [_key(step) for step in steps]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _key(step: ir.PathStep) -> str:
    return py(step.key) if step.kind == "key" else str(step.index)


def _wildcard(steps: tuple[ir.PathStep, ...]) -> int | None:
    """The position of the first ``[*]`` step, if any."""
    return next((i for i, step in enumerate(steps) if step.kind == "all"), None)


class Emitter:
    """Writes the expressions of one generated module and records the runtime helpers
    they call (:attr:`used`, read when the module's imports are written)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def use(self, name: str) -> str:
        """``name``, a runtime name the module's code writes, recorded as used."""
        self.used.add(name)
        return name

    def call(self, helper: str, *args: str) -> str:
        """``helper(args...)``, the runtime helper recorded as used."""
        return f"{self.use(helper)}({', '.join(args)})"

    @functools.singledispatchmethod
    def value(self, source: ir.ValueSource, settings: str = "settings") -> str:
        """A Python expression computing a value source.

        Inputs are local variables of the same (sanitised) name; bound variables are read
        from ``<settings>.secrets``; template text enters as ``repr`` literals only.
        """
        raise TypeError(f"no emitter for {type(source).__name__}")

    @value.register
    def _input(self, source: ir.InputValue, settings: str = "settings") -> str:
        return ident(source.input)

    @value.register
    def _literal(self, source: ir.LiteralValue, settings: str = "settings") -> str:
        return py(source.literal)

    @value.register
    def _object(self, source: ir.ObjectValue, settings: str = "settings") -> str:
        members = (f"{py(key)}: {self.value(value, settings)}" for key, value in source.members)
        return "{" + ", ".join(members) + "}"

    @value.register
    def _array(self, source: ir.ArrayValue, settings: str = "settings") -> str:
        return "[" + ", ".join(self.value(item, settings) for item in source.items) + "]"

    @value.register
    def _context(self, source: ir.ContextValue, settings: str = "settings") -> str:
        return self.context(source.ref)

    @value.register
    def _secret(self, source: ir.SecretValue, settings: str = "settings") -> str:
        return f"{settings}.secrets[{py(source.name)}]"

    @value.register
    def _template(self, source: ir.TemplateValue, settings: str = "settings") -> str:
        pieces = [self.text(part, settings) for part in source.parts]
        return " + ".join(pieces) if pieces else "''"

    def text(self, part: ir.TemplatePart, settings: str) -> str:
        """The text one piece of a compiled template contributes: literal text and bound
        variables as they are, any other value through ``to_text``."""
        if isinstance(part, (ir.LiteralValue, ir.SecretValue)):
            return self.value(part, settings)
        return self.call("to_text", self.value(part, settings))

    def context(self, ref: ir.ContextRef) -> str:
        """Read an earlier step's answer (``context["step"]``) or an input along its path;
        ``[*]`` maps the rest of the path over every element (``None`` where a key is
        missing)."""
        base = f"context[{py(ref.name)}]" if ref.kind == "step" else ident(ref.name)
        return self._context_path(base, ref.path, 1)

    def _context_path(self, var: str, steps: tuple[ir.PathStep, ...], depth: int) -> str:
        wildcard = _wildcard(steps)
        if wildcard is None:
            return self.dig(var, steps)
        item = f"item_{depth}"
        inner = self._context_path(item, steps[wildcard + 1 :], depth + 1)
        return f"[{inner} for {item} in {self.call('as_list', self.dig(var, steps[:wildcard]))}]"

    def dig(self, var: str, steps: tuple[ir.PathStep, ...]) -> str:
        """``dig(var, "key", 0)``, or ``var`` itself when there are no steps."""
        if not steps:
            return var
        return self.call("dig", var, *(_key(step) for step in steps))

    def shape_source(self, name: str, shape: ir.Shape) -> str:
        """The Python source of the function ``name`` building ``shape`` from upstream JSON."""
        return _ShapeWriter(self, name).source(shape)

    def mock(self, shape: ir.Shape) -> str:
        """An expression building a mock result from constants and inputs (no upstream)."""
        return _ShapeWriter(self, "_mock").expr(shape, "None")

    def path_operands(self, op: ir.ConsumedOperation) -> list[str]:
        """The terms of a consumed operation's path: literal text and encoded parameters."""
        terms = [
            self.call("segment", ident(segment.param)) if segment.param else py(segment.text)
            for segment in op.segments
        ]
        return terms or ['""']

    @functools.singledispatchmethod
    def body_args(self, body: ir.RequestBody, indent: int) -> str:
        """The lines of the arguments (each with its comma) that send a spec-defined request
        body: ``body=..., body_type=...``, or ``files=[...]`` for ``multipart/form-data``."""
        raise TypeError(f"no emitter for {type(body).__name__}")

    @body_args.register
    def _encoded(self, body: ir.EncodedBody, indent: int) -> str:
        value = self.value(body.value)
        if body.encoding == "form":
            encoded = self.call("encode_form", value)
        elif body.encoding == "json" and not isinstance(body.value, ir.TemplateValue):
            encoded = self.call("encode_json", value)
        else:
            encoded = f"({value}).encode('utf-8')"
        return "\n".join(
            [
                layout(encoded, indent, "body=", ","),
                layout(py(body.content_type), indent, "body_type=", ","),
            ]
        )

    @body_args.register
    def _multipart(self, body: ir.MultipartBody, indent: int) -> str:
        """``files=[(name, (filename, value, content_type)), ...]``: the parts in httpx's
        ``files`` form (httpx writes the boundary and part headers)."""
        items = []
        for part in body.parts:
            name, value, filename, content_type = map(self.value, part.fields)
            items.append(f"({name}, ({filename}, {value}, {content_type}))")
        return layout("[" + ", ".join(items) + "]", indent, "files=", ",")

    def decoder(self, operation: ir.ConsumedOperation) -> str:
        """The decoder of the operation's answers: ``decode_xml``, ``html_decoder(".products")``,
        ``avro_decoder("schemas/records.avsc")``."""
        name = self.use(decoder_function(operation.raw_format))
        if operation.raw_format not in SCHEMA_DECODERS:
            return name
        schema = operation.output_schema
        return f"{name}({py(schema) if schema is not None else ''})"


class _ShapeWriter:
    """Writes the Python functions that build a shaped result from upstream JSON.

    JSONPath mappings were compiled to steps by the lowering; here each becomes a
    ``dig(node, "key", 0, ...)`` call, ``[*]`` a list comprehension, and each nested
    object read from a mapped node its own small function.
    """

    def __init__(self, emitter: Emitter, name: str) -> None:
        self.emitter = emitter
        self.name = name
        self.functions: list[str] = []
        self.counter = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"

    def source(self, shape: ir.Shape) -> str:
        """Source of ``name(node)`` and its helpers."""
        body = self.expr(shape, "node")
        returned = layout(body, 4, "return ")
        self.functions.append(f"def {ident(self.name)}(node: Any) -> Any:\n{returned}\n")
        return "\n\n".join(self.functions).rstrip("\n")

    def expr(self, shape: ir.Shape, var: str) -> str:
        """An expression building ``shape`` relative to the node in ``var``."""
        if isinstance(shape, ir.ValueShape):
            text = self.emitter.value(shape.value)
            return self.emitter.call(COERCE[shape.type], text) if shape.type in COERCE else text
        if shape.path is None:
            return self.build(shape, var, mapped=False)
        return self.select(var, shape.path, shape)

    def select(
        self,
        var: str,
        steps: tuple[ir.PathStep, ...],
        shape: ir.ScalarShape | ir.ArrayShape | ir.ObjectShape,
    ) -> str:
        """Apply ``steps`` to ``var``; a ``[*]`` step maps the rest over every element."""
        dig = self.emitter.dig
        wildcard = _wildcard(steps)
        if wildcard is None:
            return self.build(shape, dig(var, steps), mapped=True)
        item, rest = self.fresh("item"), steps[wildcard + 1 :]
        element = shape.items if isinstance(shape, ir.ArrayShape) else shape
        if _wildcard(rest) is not None:
            inner = self.select(item, rest, shape)
        elif element is None:
            inner = dig(item, rest)
        else:
            inner = self.expr(element, dig(item, rest))
        return f"[{inner} for {item} in {self.emitter.call('as_list', dig(var, steps[:wildcard]))}]"

    def build(
        self, shape: ir.ScalarShape | ir.ArrayShape | ir.ObjectShape, node: str, *, mapped: bool
    ) -> str:
        """The value ``shape`` builds from ``node``: converted, mapped over, or an object."""
        call = self.emitter.call
        if isinstance(shape, ir.ScalarShape):
            return call(COERCE[shape.type], node)
        if isinstance(shape, ir.ArrayShape):
            if shape.items is None:
                return call("as_list", node)
            element = self.fresh("element")
            return f"[{self.expr(shape.items, element)} for {element} in {call('as_list', node)}]"
        if not mapped and node.isidentifier():
            return self.object_literal(shape, node)
        helper = self.fresh(self.name)
        literal = self.object_literal(shape, "node")
        self.functions.append(
            f"def {helper}(node: Any) -> Any:\n"
            "    if node is None:\n        return None\n"
            f"{layout(literal, 4, 'return ')}\n"
        )
        return f"{helper}({node})"

    def object_literal(self, shape: ir.ObjectShape, var: str) -> str:
        items = ", ".join(
            f"{py(name)}: {self.expr(child, var)}" for name, child in shape.properties
        )
        return "{" + items + "}"
