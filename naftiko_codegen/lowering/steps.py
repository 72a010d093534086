"""Lowering of orchestrated operations: ``call``, ``lookup`` and ``script`` steps, and
``mappings`` from the steps' answers to the outputs.

Every step's answer is kept under the step's name; later steps read it through
``$.<step>.<path>`` (JSONPath) or ``{{<step>.<path>}}`` (Mustache), compiled here into
:class:`~naftiko_codegen.ir.ContextRef` values, so the generated code never interprets a
path at run time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .. import ir, names
from ..diagnostics import Path
from ..mustache import TemplateSyntaxError, is_template, tokens
from .arguments import Arguments
from .calls import Calls
from .context import Diagnostics
from .outputs import JsonPathError, compile_jsonpath
from .scope import Scope, no_implicit_inputs
from .scripts import Scripts
from .values import Values


class StepSite(NamedTuple):
    """Where a step is lowered: the names of the steps before it, the unit's scope and
    the step's location in the spec."""

    earlier: Sequence[str]
    scope: Scope
    path: Path


@dataclasses.dataclass(eq=False)
class Steps:
    """Builds the steps and the output of an orchestrated operation or tool."""

    diagnostics: Diagnostics
    values: Values
    calls: Calls
    arguments: Arguments
    scripts: Scripts

    def lower(
        self, spec: Mapping[str, Any], scope: Scope, path: Path
    ) -> tuple[tuple[ir.Step, ...], ir.Output]:
        """The steps, in order, and the output built from their answers.

        Mappings read ``$.<step name>.<path>`` from the answers of the steps; ``targetName``
        may be dotted to build nested objects. Unmapped outputs are ``null``.
        """
        steps: list[ir.Step] = []
        scope.steps = tuple(str(step.get("name")) for step in spec.get("steps", []))
        for index, step in enumerate(spec.get("steps", [])):
            s_path = path + ("steps", index)
            name = str(step.get("name") or f"step{index + 1}")
            earlier = [done.name for done in steps]
            if name in earlier:
                raise self.diagnostics.skip(
                    s_path + ("name",), "NG204", f"two steps are named {name!r}"
                )
            kind = step.get("type", "call")
            site = StepSite(tuple(earlier), scope, s_path)
            if kind == "call":
                steps.append(ir.CallStep(name, self.call_step(step, site)))
            elif kind == "lookup":
                steps.append(self.lookup_step(name, step, site))
            elif kind == "script":
                steps.append(self.scripted_step(name, step, site))
            else:
                raise self.diagnostics.skip(
                    s_path + ("type",), "NG211", f"`{kind}` steps are not generated"
                )
        sources: dict[str, tuple[ir.PathStep, ...]] = {}
        for index, mapping in enumerate(spec.get("mappings", [])):
            try:
                sources[str(mapping["targetName"])] = compile_jsonpath(str(mapping["value"]))
            except JsonPathError as error:
                raise self.diagnostics.skip(
                    path + ("mappings", index, "value"), "NG211", str(error)
                ) from None
        properties = [
            (str(output["name"]), str(output.get("type", "string")))
            for output in spec.get("outputParameters", [])
        ]
        shape = _nest(properties, sources)
        return tuple(steps), ir.Output("orchestrated", shape.json_schema, shape)

    # -- step kinds ------------------------------------------------------------------

    def call_step(self, step: Mapping[str, Any], site: StepSite) -> ir.Invocation:
        """A ``call`` step; ``with`` values may read earlier steps' answers."""
        earlier, scope, path = site
        api, operation = self.calls.resolve(step["call"], path + ("call",))
        with_map = dict(step.get("with", {}))
        fed: dict[str, ir.ValueSource] = {}
        for key, value in with_map.items():
            source = self.earlier_value(value, earlier, scope, path + ("with", key))
            if source is not None:
                fed[str(key)] = source
                with_map[key] = None  # sourced below; keeps `with` key checks and order
        # a step's call takes only what the unit declares: a scope without implicit inputs
        plain_scope = dataclasses.replace(scope, implicit=no_implicit_inputs)
        invocation = self.arguments.invocation(api, operation, with_map, plain_scope, path)
        plain = dataclasses.replace(invocation, forward_body=False, forward_query=False)
        return _feed(plain, fed) if fed else plain

    def lookup_step(self, name: str, step: Mapping[str, Any], site: StepSite) -> ir.LookupStep:
        """A ``lookup`` step over the answer of an earlier step."""
        earlier, scope, path = site
        index = str(step["index"])
        if index not in earlier:
            raise self.diagnostics.skip(
                path + ("index",),
                "NG202",
                f"`index: {index}` names no earlier step of this operation",
                expected=", ".join(earlier) or "no earlier step",
            )
        v_path = path + ("lookupValue",)
        expression = str(step["lookupValue"])
        keys = _single_tag(expression)
        if keys is not None:
            selector = keys
        else:
            try:
                selector = compile_jsonpath(expression)
            except JsonPathError as error:
                raise self.diagnostics.skip(
                    v_path, "NG211", str(error), hint="write `$.<step>.<field>` or an input"
                ) from None
        ref = self.context_ref(selector, expression, earlier, scope, v_path)
        fields = tuple(str(field) for field in step["outputParameters"])
        return ir.LookupStep(name, index, str(step["match"]), ref, fields)

    def scripted_step(self, name: str, step: Mapping[str, Any], site: StepSite) -> ir.ScriptStep:
        """A ``script`` step; its ``with`` values (sorted by name) may read earlier answers."""
        earlier, scope, path = site
        script = self.scripts.script_step(name, step, scope, path)
        entries = tuple(
            (str(key), self.step_value(value, earlier, scope, path + ("with", key)))
            for key, value in sorted(step.get("with", {}).items())
        )
        return dataclasses.replace(script, with_values=entries)

    # -- references to earlier steps ---------------------------------------------------

    def step_value(
        self,
        value: Any,
        earlier: Sequence[str],
        scope: Scope,
        path: Path,
    ) -> ir.ValueSource:
        """A ``with`` value of a script step: an earlier answer, an input (``$.<input>``,
        ``<prefix>.<input>``, ``{{<input>}}``), or a literal."""
        found = self.earlier_value(value, earlier, scope, path)
        if found is not None:
            return found
        named = self.arguments.reference(value, scope.namespace)
        if named is not None:
            item = scope.find(named)
            if item is None:
                raise scope.unknown(value, path)
            return ir.InputValue(item.ident)
        reference = value.strip() if isinstance(value, str) else ""
        if reference.startswith("$"):
            try:
                selector = compile_jsonpath(reference)
            except JsonPathError:
                selector = ()
            if selector:
                return ir.ContextValue(self.context_ref(selector, reference, earlier, scope, path))
        return self.values.compile(value, path, scope, skip_on_error=True)

    def earlier_value(
        self,
        value: Any,
        earlier: Sequence[str],
        scope: Scope,
        path: Path,
    ) -> ir.ValueSource | None:
        """The source of a value that reads an earlier step's answer, else ``None``.

        ``$.<step>.<path>`` and a lone ``{{<step>.<path>}}`` keep the answer's JSON type;
        ``{{<step>.<path>}}`` inside text interpolates it as text.
        """
        if not isinstance(value, str):
            return None
        text = value.strip()
        if text.startswith("$"):
            try:
                selector = compile_jsonpath(text)
            except JsonPathError:
                return None
            if not selector or selector[0].kind != "key" or selector[0].key not in earlier:
                self.check_order(selector[0].key if selector else "", earlier, scope, path)
                return None
            return ir.ContextValue(ir.ContextRef("step", selector[0].key, selector[1:]))
        if not is_template(value):
            return None
        try:
            pieces = list(tokens(value))
        except TemplateSyntaxError:
            return None  # reported where the value is compiled as a template
        for tag, name in pieces:
            if tag and _head(name) not in earlier:
                self.check_order(_head(name), earlier, scope, path)
        if not any(tag and _head(name) in earlier for tag, name in pieces):
            return None
        parts: list[ir.TemplatePart] = []
        for tag, name in pieces:
            if not tag:
                parts.append(ir.LiteralValue(name))
            elif _head(name) in earlier:
                keys = _mustache_path(name)
                ref = ir.ContextRef("step", _head(name), keys[1:])
                parts.append(ir.ContextValue(ref))
            else:
                compiled = self.values.compile("{{" + name + "}}", path, scope, skip_on_error=True)
                if isinstance(compiled, ir.TemplateValue):
                    parts.extend(compiled.parts)
        if len(parts) == 1 and isinstance(parts[0], ir.ContextValue):
            return parts[0]
        return ir.TemplateValue(tuple(parts))

    def check_order(self, name: str, earlier: Sequence[str], scope: Scope, path: Path) -> None:
        """Skip the operation when a value reads the step ``name`` before it has run."""
        if name in scope.steps and name not in earlier:
            raise self.diagnostics.skip(
                path,
                "NG202",
                f"step {name!r} is read before it runs",
                expected=", ".join(earlier) or "no earlier step",
                hint="steps run in order: move the step that is read before this one",
            )

    def context_ref(
        self,
        selector: tuple[ir.PathStep, ...],
        expression: str,
        earlier: Sequence[str],
        scope: Scope,
        path: Path,
    ) -> ir.ContextRef:
        """Where ``$.<step>.<path>`` or ``$.<input>.<path>`` reads from; dotted input names
        (``id.project``) match their longest prefix of keys."""
        keys: list[str] = []
        for item in selector:
            if item.kind != "key":
                break
            keys.append(item.key)
        if keys and keys[0] in earlier:
            return ir.ContextRef("step", keys[0], selector[1:])
        for length in range(len(keys), 0, -1):
            found = scope.find(".".join(keys[:length]))
            if found is not None:
                return ir.ContextRef("input", found.ident, selector[length:])
        known = [*earlier, *(item.name for item in scope.inputs.values())]
        raise self.diagnostics.skip(
            path,
            "NG202",
            f"{expression!r} names no earlier step and no input",
            expected=", ".join(known) or "no earlier step and no input",
        )


def _feed(invocation: ir.Invocation, fed: Mapping[str, ir.ValueSource]) -> ir.Invocation:
    """``invocation`` with the parameters in ``fed`` sourced from earlier steps."""
    wanted = {names.normalise_reference(key): source for key, source in fed.items()}
    arguments = tuple(
        (param, wanted.get(names.normalise_reference(param.name), source))
        for param, source in invocation.arguments
    )
    body = invocation.body
    body_param = invocation.operation.body_param
    if body_param is not None and names.normalise_reference(body_param.name) in wanted:
        value = wanted[names.normalise_reference(body_param.name)]
        body = ir.EncodedBody("json", "application/json", value)
    return dataclasses.replace(invocation, arguments=arguments, body=body)


def _head(name: str) -> str:
    """The first segment of a dotted Mustache name."""
    return name.split(".", 1)[0].strip()


def _mustache_path(name: str) -> tuple[ir.PathStep, ...]:
    """``step.items.0.id`` → keys and indices (all-digit segments are list indices)."""
    return tuple(
        ir.PathStep("index", index=int(part)) if part.isdigit() else ir.PathStep("key", key=part)
        for part in (segment.strip() for segment in name.split("."))
    )


def _single_tag(expression: str) -> tuple[ir.PathStep, ...] | None:
    """The path of an expression that is exactly one ``{{a.b}}`` tag, else ``None``."""
    if not is_template(expression):
        return None
    try:
        pieces = list(tokens(expression.strip()))
    except TemplateSyntaxError:
        return None
    if len(pieces) != 1 or not pieces[0][0]:
        return None
    return _mustache_path(pieces[0][1])


def _nest(
    outputs: list[tuple[str, str]], sources: Mapping[str, tuple[ir.PathStep, ...]]
) -> ir.Shape:
    """The object shape of the declared outputs, each read from its mapping's path."""
    children: list[tuple[str, ir.Shape]] = []
    for name, kind in outputs:
        nested = {t[len(name) + 1 :]: p for t, p in sources.items() if t.startswith(name + ".")}
        if kind == "object" and nested:
            inner = [(key.split(".", 1)[0], "object" if "." in key else "string") for key in nested]
            children.append((name, _nest(list(dict.fromkeys(inner)), nested)))
        elif name in sources:
            children.append((name, _leaf(kind, sources[name] or None)))
        else:  # unmapped: null (a constant ``None``, never the whole context)
            children.append((name, ir.ValueShape(kind, ir.LiteralValue())))  # type: ignore[arg-type]
    return ir.ObjectShape(properties=tuple(children))


def _leaf(kind: str, path: tuple[ir.PathStep, ...] | None) -> ir.Shape:
    """A declared output read at ``path`` (an array or object as it is found there)."""
    if kind == "array":
        return ir.ArrayShape(path)
    if kind == "object":
        return ir.ObjectShape(path)
    return ir.ScalarShape(kind, path)  # type: ignore[arg-type]
