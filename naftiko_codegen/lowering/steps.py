"""Lowering of orchestrated operations: ``steps`` of calls and ``mappings`` to outputs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import ir
from ..diagnostics import Path
from .outputs import JsonPathError, OutputsLowering, compile_jsonpath


class StepsLowering(OutputsLowering):
    """Builds the steps and the output of an orchestrated operation or tool."""

    def lower_steps(
        self,
        spec: Mapping[str, Any],
        inputs: dict[str, ir.ExposedInput],
        namespace: str,
        path: Path,
    ) -> tuple[tuple[ir.Step, ...], ir.Output]:
        """Each ``call`` step sourced from the inputs; the output built from the answers.

        Mappings read ``$.<step name>.<path>`` from the answers of the steps; ``targetName``
        may be dotted to build nested objects. Unmapped outputs are ``null``.
        """
        steps: list[ir.Step] = []
        for index, step in enumerate(spec.get("steps", [])):
            s_path = path + ("steps", index)
            if step.get("type", "call") != "call":
                raise self.skip(
                    s_path + ("type",), "NG211", f"`{step.get('type')}` steps are not generated yet"
                )
            api, operation = self.resolve_call(step["call"], s_path + ("call",))
            invocation = self.invocation(
                api, operation, step.get("with", {}), inputs, lambda *_: None, namespace, s_path
            )
            plain = dataclasses.replace(invocation, forward_body=False, forward_query=False)
            steps.append(ir.Step(str(step.get("name") or f"step{index + 1}"), plain))
        sources: dict[str, tuple[ir.PathStep, ...]] = {}
        for index, mapping in enumerate(spec.get("mappings", [])):
            try:
                sources[str(mapping["targetName"])] = compile_jsonpath(str(mapping["value"]))
            except JsonPathError as error:
                raise self.skip(path + ("mappings", index, "value"), "NG211", str(error)) from None
        properties = [
            (str(output["name"]), str(output.get("type", "string")))
            for output in spec.get("outputParameters", [])
        ]
        shape = _nest(properties, sources)
        return tuple(steps), ir.Output("orchestrated", shape.json_schema, shape)


def _nest(
    outputs: list[tuple[str, str]], sources: Mapping[str, tuple[ir.PathStep, ...]]
) -> ir.Shape:
    """The object shape of the declared outputs, each read from its mapping's path."""
    children: list[tuple[str, ir.Shape]] = []
    for name, kind in outputs:
        nested = {t[len(name) + 1 :]: p for t, p in sources.items() if t.startswith(name + ".")}
        if kind == "object" and nested:
            inner = [(key.split(".", 1)[0], "string") for key in nested]
            children.append((name, _nest(list(dict.fromkeys(inner)), nested)))
        else:
            path = sources.get(name)
            children.append((name, ir.Shape(kind, path or None)))  # type: ignore[arg-type]
    return ir.Shape("object", properties=tuple(children))
