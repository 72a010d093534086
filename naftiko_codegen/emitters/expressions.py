"""The Python expressions written for IR nodes: values, context paths, shapes, paths and bodies.

Spec text enters them only through :func:`~naftiko_codegen.pylayout.py` and names only
through :func:`~naftiko_codegen.pylayout.ident`."""

from __future__ import annotations

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


def value_expr(source: ir.ValueSource, settings: str = "settings") -> str:
    """A Python expression computing a value source.

    Inputs are local variables of the same (sanitised) name; bound variables are read
    from ``settings.secrets``; template text enters as ``repr`` literals only.
    """
    if source.kind == "input":
        return ident(source.input)
    if source.kind == "literal":
        return py(source.literal)
    if source.kind == "object":
        members = ", ".join(f"{py(k)}: {value_expr(v, settings)}" for k, v in source.members)
        return "{" + members + "}"
    if source.kind == "array":
        return "[" + ", ".join(value_expr(v, settings) for _, v in source.members) + "]"
    if source.kind == "context":
        return context_expr(source.ref)
    pieces = []
    for part in source.parts:
        if part.kind == "text":
            pieces.append(py(part.value))
        elif part.kind == "secret":
            pieces.append(f"{settings}.secrets[{py(part.value)}]")
        elif part.kind == "context":
            pieces.append(f"to_text({context_expr(part.ref)})")
        else:
            pieces.append(f"to_text({ident(part.value)})")
    return " + ".join(pieces) if pieces else "''"


def context_expr(ref: ir.ContextRef | None) -> str:
    """Read an earlier step's answer (``context["step"]``) or an input along its path;
    ``[*]`` maps the rest of the path over every element (``None`` where a key is missing)."""
    if ref is None:
        raise ValueError("a context value without a reference")
    base = f"context[{py(ref.name)}]" if ref.kind == "step" else ident(ref.name)
    return _context_path(base, ref.path, 1)


def _context_path(var: str, steps: tuple[ir.PathStep, ...], depth: int) -> str:
    wildcard = next((i for i, step in enumerate(steps) if step.kind == "all"), None)
    if wildcard is None:
        return dig(var, steps)
    item = f"item_{depth}"
    inner = _context_path(item, steps[wildcard + 1 :], depth + 1)
    return f"[{inner} for {item} in as_list({dig(var, steps[:wildcard])})]"


def context_helpers(ref: ir.ContextRef) -> set[str]:
    """The ``values`` helpers :func:`context_expr` calls for ``ref``: ``dig`` for each
    non-empty stretch of keys, ``as_list`` for each ``[*]``."""
    used: set[str] = set()
    steps = ref.path
    while True:
        wildcard = next((i for i, step in enumerate(steps) if step.kind == "all"), None)
        head = steps if wildcard is None else steps[:wildcard]
        if head:
            used.add("dig")
        if wildcard is None:
            return used
        used.add("as_list")
        steps = steps[wildcard + 1 :]


COERCE = {
    "string": "as_string",
    "number": "as_number",
    "integer": "as_integer",
    "boolean": "as_boolean",
}


class ShapeWriter:
    """Writes the Python functions that build a shaped result from upstream JSON.

    JSONPath mappings were compiled to steps by the lowering; here each becomes a
    ``dig(node, "key", 0, ...)`` call, ``[*]`` a list comprehension, and each nested
    object read from a mapped node its own small function.
    """

    def __init__(self, name: str) -> None:
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
        if shape.value is not None:
            text = value_expr(shape.value)
            return f"{COERCE[shape.type]}({text})" if shape.type in COERCE else text
        if shape.path is None:
            return self.build(shape, var, mapped=False)
        return self.select(var, shape.path, shape)

    def select(self, var: str, steps: tuple[ir.PathStep, ...], shape: ir.Shape) -> str:
        """Apply ``steps`` to ``var``; a ``[*]`` step maps the rest over every element."""
        wildcard = next((i for i, step in enumerate(steps) if step.kind == "all"), None)
        if wildcard is None:
            return self.build(shape, dig(var, steps), mapped=True)
        item, rest = self.fresh("item"), steps[wildcard + 1 :]
        element = shape.items if shape.type == "array" else shape
        if any(step.kind == "all" for step in rest):
            inner = self.select(item, rest, shape)
        elif element is None:
            inner = dig(item, rest)
        else:
            inner = self.expr(element, dig(item, rest))
        return f"[{inner} for {item} in as_list({dig(var, steps[:wildcard])})]"

    def build(self, shape: ir.Shape, node: str, *, mapped: bool) -> str:
        if shape.type in COERCE:
            return f"{COERCE[shape.type]}({node})"
        if shape.type == "array":
            if shape.items is None:
                return f"as_list({node})"
            element = self.fresh("element")
            return f"[{self.expr(shape.items, element)} for {element} in as_list({node})]"
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

    def object_literal(self, shape: ir.Shape, var: str) -> str:
        items = ", ".join(
            f"{py(name)}: {self.expr(child, var)}" for name, child in shape.properties
        )
        return "{" + items + "}"


def dig(var: str, steps: tuple[ir.PathStep, ...]) -> str:
    """``dig(var, "key", 0)``, or ``var`` itself when there are no steps."""
    if not steps:
        return var
    args = ", ".join(py(step.key) if step.kind == "key" else str(step.index) for step in steps)
    return f"dig({var}, {args})"


def selector_literal(steps: tuple[ir.PathStep, ...]) -> str:
    """A tuple literal of the keys and indices of a compiled JSONPath."""
    parts = [py(step.key) if step.kind == "key" else str(step.index) for step in steps]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def shape_source(name: str, shape: ir.Shape) -> str:
    """The Python source of the function ``name`` building ``shape`` from upstream JSON."""
    return ShapeWriter(name).source(shape)


def mock_expr(shape: ir.Shape) -> str:
    """An expression building a mock result from constants and inputs (no upstream)."""
    return ShapeWriter("_mock").expr(shape, "None")


def path_operands(op: ir.ConsumedOperation) -> list[str]:
    """The terms of a consumed operation's path: literal text and encoded parameters."""
    terms = [
        f"segment({ident(segment.param)})" if segment.param else py(segment.text)
        for segment in op.segments
    ]
    return terms or ['""']


def body_encoder(body: ir.RequestBody) -> str | None:
    """The helper that encodes a spec-defined body (``None``: the value is text)."""
    if body.encoding == "form":
        return "encode_form"
    if body.encoding == "json" and body.value.kind != "template":
        return "encode_json"
    return None


def body_args(body: ir.RequestBody, indent: int) -> str:
    """The lines of the ``body=..., body_type=...`` arguments (each with its comma) that
    send a spec-defined request body; ``files=[...]`` for ``multipart/form-data`` (httpx
    writes the boundary and part headers)."""
    if body.encoding == "multipart":
        return layout(multipart_parts(body.value), indent, "files=", ",")
    value = value_expr(body.value)
    encoder = body_encoder(body)
    encoded = f"{encoder}({value})" if encoder else f"({value}).encode('utf-8')"
    return "\n".join(
        [
            layout(encoded, indent, "body=", ","),
            layout(py(body.content_type), indent, "body_type=", ","),
        ]
    )


def multipart_parts(parts: ir.ValueSource) -> str:
    """``[(name, (filename, value, content_type)), ...]``: the parts in httpx's ``files``
    form."""
    items = []
    for _, part in parts.members:
        fields = {key: value_expr(source) for key, source in part.members}
        file = f"({fields['filename']}, {fields['value']}, {fields['contentType']})"
        items.append(f"({fields['name']}, {file})")
    return "[" + ", ".join(items) + "]"


SCHEMA_DECODERS = {"html", "markdown", "avro", "protobuf"}
"""Answer formats whose decoder is made for the operation's ``outputSchema``."""


def decoder_function(raw_format: str) -> str:
    """The runtime function that decodes ``raw_format`` answers (or makes their decoder)."""
    return f"{raw_format}_decoder" if raw_format in SCHEMA_DECODERS else f"decode_{raw_format}"


def decoder_expr(operation: ir.ConsumedOperation) -> str:
    """The decoder of the operation's answers: ``decode_xml``, ``html_decoder(".products")``,
    ``avro_decoder("schemas/records.avsc")``."""
    name = decoder_function(operation.raw_format)
    if operation.raw_format not in SCHEMA_DECODERS:
        return name
    return f"{name}({py(operation.output_schema) if operation.output_schema is not None else ''})"
