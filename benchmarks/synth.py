"""Synthetic capabilities of N operations, in the shape of specs/flyte-admin-executions.yaml.

Every operation is declared three times, like the Flyte capability: a consumed HTTP operation,
a REST operation that calls it, and an MCP tool that calls it. One operation in three is a
POST with a JSON body and no parameters; the others are GET or DELETE with two or three
dotted path parameters (``id.project``, ``id.domain``, ``id.name``) bound with ``with``.

    python benchmarks/synth.py 1000 > synthetic-1000.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path


def _kind(i: int) -> tuple[str, list[str]]:
    """(method, path parameters) of operation ``i``."""
    if i % 3 == 0:
        return "POST", []
    if i % 3 == 1:
        return "GET", ["id.project", "id.domain", "id.name"]
    if i % 6 == 2:
        return "DELETE", ["id.project", "id.domain", "id.name"]
    return "GET", ["id.project", "id.domain"]


def synthetic_capability(operations: int) -> str:
    """The YAML text of a capability with ``operations`` operations (consumed + REST + MCP)."""
    consumed: list[str] = []
    rest: list[str] = []
    tools: list[str] = []
    for i in range(operations):
        method, params = _kind(i)
        name = f"op{i:05d}"
        segments = "".join("/{" + p + "}" for p in params)
        rest_segments = "".join("/{" + p.replace(".", "-") + "}" for p in params)
        consumed += [
            f"    - name: res{i:05d}",
            f"      path: /api/v1/things{i:05d}{segments}",
            "      operations:",
            f"      - name: {name}",
            f"        method: {method}",
            f"        description: Operation {i} on things",
            "        outputRawFormat: json",
            "        outputParameters:",
            "        - name: result",
            "          type: object",
            "          value: $.",
        ]
        if params:
            consumed.append("        inputParameters:")
            for p in params:
                consumed += [
                    f"        - name: {p}",
                    "          in: path",
                    "          type: string",
                    "          required: true",
                ]
        rest += [
            f"    - path: /v1/things{i:05d}{rest_segments}",
            f"      name: rest{i:05d}",
            f"      description: REST surface for res{i:05d}.",
            "      operations:",
            f"      - method: {method}",
            f"        name: {name}",
            f"        description: Operation {i} on things",
            f"        call: synthetic.{name}",
        ]
        if params:
            rest.append("        with:")
            rest += [f"          {p}: rest.{p}" for p in params]
        rest += ["        outputParameters:", "        - type: object", "          mapping: $."]
        read_only = "true" if method == "GET" else "false"
        tools += [
            f"    - name: tool-{i:05d}",
            f"      description: Operation {i} on things",
            "      hints:",
            f"        readOnly: {read_only}",
            f"        destructive: {'true' if method == 'DELETE' else 'false'}",
            f"        idempotent: {'false' if method == 'POST' else 'true'}",
            f"      call: synthetic.{name}",
        ]
        if params:
            tools.append("      with:")
            tools += [f"        {p}: tools.{p}" for p in params]
        tools += ["      outputParameters:", "      - type: object", "        mapping: $."]
    head = [
        "naftiko: 1.0.0-alpha2",
        "info:",
        f"  label: Synthetic {operations}",
        f"  description: Synthetic capability with {operations} operations (benchmarks/synth.py).",
        "capability:",
        "  consumes:",
        "  - type: http",
        "    namespace: synthetic",
        "    baseUri: http://localhost:30080",
        "    description: Synthetic upstream API.",
        "    resources:",
    ]
    middle = [
        "  exposes:",
        "  - type: rest",
        "    namespace: synthetic-rest",
        "    port: 8080",
        "    description: REST adapter of the synthetic capability.",
        "    resources:",
    ]
    tail = [
        "  - type: mcp",
        "    namespace: synthetic-mcp",
        "    port: 9090",
        "    transport: http",
        "    description: MCP adapter of the synthetic capability.",
        "    tools:",
    ]
    return "\n".join(head + consumed + middle + rest + tail + tools) + "\n"


def write_synthetic(operations: int, directory: Path) -> Path:
    """Write ``synthetic-N.yaml`` into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"synthetic-{operations}.yaml"
    path.write_text(synthetic_capability(operations), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(synthetic_capability(int(sys.argv[1])))
