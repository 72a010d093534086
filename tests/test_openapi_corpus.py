"""Real capabilities built with the OpenAPI documents they were written from.

For every ``more-apis/`` capability whose OpenAPI file is in the repository (the
provider's ``openapi/`` folder, named by ``MANIFEST.jsonl``; OpenAPI 3.0, 3.1 and
Swagger 2.0): every tool's input and output schema and every schema of the REST
adapters' OpenAPI documents is valid JSON Schema (jsonschema's 2020-12 meta-schema), and
every consumed operation is matched or named in the one NG215 warning. One enriched
package per dialect passes ``mypy --strict`` and ``ruff``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from naftiko_codegen import ir
from naftiko_codegen.diagnostics import Diagnostic
from naftiko_codegen.openapi import OpenApiFile
from naftiko_codegen.output import write_tree
from naftiko_codegen.pipeline import analyse, compile_spec
from naftiko_codegen.rest_openapi import openapi_document

from .corpus_check import CORPUS

MORE_APIS = CORPUS / "more-apis"


def _pairs() -> list[tuple[Path, Path]]:
    """(capability, OpenAPI file) for every capability whose OpenAPI file is here."""
    pairs = []
    for line in (MORE_APIS / "MANIFEST.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row.get("kind") != "capability" or not row.get("openapi_copied"):
            continue
        spec = MORE_APIS / row["file"]
        document = MORE_APIS / row["file"].split("/")[0] / row["openapi_copied"]
        if spec.is_file() and document.is_file():
            pairs.append((spec, document))
    return pairs


PAIRS = _pairs()
_LISTED = re.compile(r"([^\s;:]+)\.(\S+) \((\w+) [^)]*\)")


def test_enough_providers_and_dialects_are_covered() -> None:
    providers = {spec.relative_to(MORE_APIS).parts[0] for spec, _ in PAIRS}
    assert len(providers) >= 5 and len(PAIRS) >= 100
    versions = {_version(document) for _, document in PAIRS}
    assert {"2.0", "3.0", "3.1"} <= versions


def _version(document: Path) -> str:
    head = document.read_text("utf-8")[:2000]
    found = re.search(r"""^["']?(openapi|swagger)["']?\s*:\s*["']?(\d\.\d)""", head, re.M)
    assert found, document
    return found.group(2)


def _check(schema: dict[str, Any] | None, where: str, problems: list[str]) -> None:
    if schema is None:
        return
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as error:  # noqa: BLE001 - collected and reported together
        problems.append(f"{where}: {str(error).splitlines()[0]}")


@pytest.mark.parametrize(
    ("spec", "document"),
    PAIRS,
    ids=[str(spec.relative_to(MORE_APIS)) for spec, _ in PAIRS],
)
def test_schemas_are_valid_and_every_operation_is_matched_or_listed(
    spec: Path, document: Path
) -> None:
    capability, diagnostics, _ = analyse(spec, openapi=[OpenApiFile(document)])
    problems: list[str] = []
    for adapter in capability.mcp_adapters:
        for tool in adapter.tools:
            _check(tool.input_schema, f"{tool.name} inputSchema", problems)
            _check(tool.output.mcp_schema, f"{tool.name} outputSchema", problems)
    for rest in capability.rest_adapters:
        served = openapi_document(capability, rest)
        for name, schema in served["components"]["schemas"].items():
            _check(schema, f"{rest.namespace} components/schemas/{name}", problems)
        for path, item in served["paths"].items():
            for method, operation in item.items():
                where = f"{rest.namespace} {method.upper()} {path}"
                for parameter in operation.get("parameters", []):
                    _check(parameter["schema"], f"{where} {parameter['name']}", problems)
                body = operation.get("requestBody", {}).get("content", {})
                _check(body.get("application/json", {}).get("schema"), f"{where} body", problems)
    assert not problems, "\n".join(problems)
    assert _unmatched(capability) == _listed(diagnostics)


def _unmatched(capability: ir.Capability) -> list[tuple[str, str, str]]:
    return [
        (api.namespace, op.name, op.method)
        for api in capability.apis
        for op in api.operations
        if op.contract is None
    ]


def _listed(diagnostics: list[Diagnostic]) -> list[tuple[str, str, str]]:
    warnings = [d for d in diagnostics if d.code == "NG215"]
    if not warnings:
        return []
    [warning] = warnings
    listed = [m.groups() for m in _LISTED.finditer(warning.message.split(": ", 1)[1])]
    assert int(warning.message.split(" ", 1)[0]) == len(listed)
    return listed


HOSTILE = Path(__file__).resolve().parent / "data" / "openapi" / "hostile"
SAMPLES = [
    *(
        (MORE_APIS / spec, next(d for s, d in PAIRS if s == MORE_APIS / spec))
        for spec in (
            "argo/workflows-workflows.yaml",
            "nginx/traffic-management.yaml",
            "segment/public-sources.yaml",
        )
    ),
    # parameters named like the generated code's own names, quotes in every text
    (HOSTILE / "spec.yaml", HOSTILE / "api.json"),
]


@pytest.mark.parametrize(
    ("spec", "document"), SAMPLES, ids=["openapi-3.0", "swagger-2.0", "openapi-3.1", "hostile"]
)
def test_an_enriched_package_passes_mypy_and_ruff(
    spec: Path, document: Path, tmp_path: Path
) -> None:
    result = compile_spec(spec, openapi=[OpenApiFile(document)])
    assert any(op.contract for api in result.capability.apis for op in api.operations)
    write_tree(tmp_path / "out", result.files, result.spec_digest)
    bin_dir = Path(sys.executable).parent
    for command in (
        [str(bin_dir / "ruff"), "check", "--no-cache", "--isolated", "."],
        [str(bin_dir / "mypy"), "--strict", "--no-incremental", result.capability.package],
    ):
        run = subprocess.run(
            command, cwd=tmp_path / "out", capture_output=True, text=True, timeout=600
        )
        assert run.returncode == 0, run.stdout + run.stderr
