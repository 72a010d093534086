"""The corpus check: build every alpha2 capability of ``tests/data/corpus`` and account for
every exposed operation.

Used by ``tests/test_corpus.py`` and runnable alone (``make corpus``), which prints one line
per problem and the summary::

    python -m tests.corpus_check

A file *fails* when it is refused (an error), hits an internal error, generates Python that
does not parse, or loses an exposed operation (a REST operation or MCP tool) without a
warning that says so. A skipped operation (one with a warning that says it is skipped) is
*expected* only when ``expected-skips.yaml`` lists it, with its reason.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from naftiko_codegen import ir
from naftiko_codegen.diagnostics import CompilationFailed, Diagnostic, Severity, format_path
from naftiko_codegen.loader import load_document
from naftiko_codegen.pipeline import analyse
from naftiko_codegen.render import render_package

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
ALPHA2_FOLDERS = ("flyte", "other-apis", "more-apis", "naftiko-framework")
"""The corpus folders written in the alpha2 dialect."""
NEGATIVE = {
    "naftiko-framework/baseuri-trailing-slash-capability.yaml",
    "naftiko-framework/aggregates/aggregate-invalid-ref.yaml",
}
"""The official examples that are deliberately invalid (their tests say so)."""
EXPECTED_SKIPS = CORPUS / "expected-skips.yaml"
SUMMARIES: list[str] = []
"""Summary lines of the checks run in this process (printed at the end of a pytest run)."""


def is_capability(path: Path) -> bool:
    """True for a capability document: YAML whose root has a ``naftiko`` key."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    text = path.read_text("utf-8", "replace")
    return any(line.startswith("naftiko:") for line in text.splitlines())


def capability_files(*folders: str) -> list[Path]:
    """Every capability document below the given corpus folders, sorted."""
    return [p for f in folders for p in sorted((CORPUS / f).rglob("*")) if is_capability(p)]


@dataclasses.dataclass
class Outcome:
    """What building one corpus file gave."""

    spec: str
    """The file, relative to the corpus folder."""
    problem: str | None = None
    """Why the file fails (refused, internal error, Python that does not parse)."""
    exposed: int = 0
    generated: int = 0
    skipped: dict[str, Diagnostic] = dataclasses.field(default_factory=dict)
    """Skipped operations by JSON path, each with the warning that skips it."""
    capability: ir.Capability | None = None

    @property
    def lost(self) -> int:
        """Operations missing from the build without a warning that skips them."""
        return self.exposed - self.generated - len(self.skipped)


def exposed_operations(data: Any) -> list[tuple[str | int, ...]]:
    """The document paths of every REST operation and MCP tool a capability declares."""
    found: list[tuple[str | int, ...]] = []
    capability = data.get("capability") if isinstance(data, dict) else None
    exposes = capability.get("exposes") if isinstance(capability, dict) else None
    for a_index, adapter in enumerate(exposes if isinstance(exposes, list) else []):
        base = ("capability", "exposes", a_index)
        if not isinstance(adapter, dict):
            continue
        if adapter.get("type") == "mcp":
            found += [base + ("tools", i) for i in range(len(adapter.get("tools") or []))]
        elif adapter.get("type") == "rest":
            for r_index, resource in enumerate(adapter.get("resources") or []):
                operations = resource.get("operations") or [] if isinstance(resource, dict) else []
                found += [
                    base + ("resources", r_index, "operations", o_index)
                    for o_index in range(len(operations))
                ]
    return found


def generated_operations(capability: ir.Capability) -> int:
    """The REST operations and MCP tools the build generates."""
    return sum(len(a.operations) for a in capability.rest_adapters) + sum(
        len(a.tools) for a in capability.mcp_adapters
    )


def skipping_warnings(
    operations: Iterable[tuple[str | int, ...]], diagnostics: Iterable[Diagnostic]
) -> dict[str, Diagnostic]:
    """For each operation a warning says is skipped: that warning, by the operation's path."""
    skipped: dict[str, Diagnostic] = {}
    warnings = [d for d in diagnostics if d.severity is Severity.WARNING and "skipped" in d.message]
    for operation in operations:
        for warning in warnings:
            if warning.path[: len(operation)] == operation:
                skipped.setdefault(format_path(operation), warning)
    return skipped


def build(spec: Path) -> Outcome:
    """Build ``spec`` (rendered, not formatted) and account for its exposed operations."""
    outcome = Outcome(spec.relative_to(CORPUS).as_posix())
    try:
        capability, diagnostics, digest = analyse(spec)
        files = render_package(capability, digest)
    except CompilationFailed as failure:
        errors = [d for d in failure.diagnostics if d.severity is Severity.ERROR]
        outcome.problem = "refused: " + (errors[0].format_text() if errors else "warnings")
        return outcome
    except Exception as error:  # noqa: BLE001 - an internal error is what this check reports
        outcome.problem = f"internal error: {type(error).__name__}: {error}"
        return outcome
    for name, text in files.items():
        if name.endswith(".py"):
            try:
                ast.parse(text, name)
            except SyntaxError as error:
                outcome.problem = f"{name} does not parse: {error}"
                return outcome
    operations = exposed_operations(load_document(spec).data)
    outcome.capability = capability
    outcome.exposed = len(operations)
    outcome.generated = generated_operations(capability)
    outcome.skipped = skipping_warnings(operations, diagnostics)
    return outcome


def expected_skips() -> dict[tuple[str, str], str]:
    """``expected-skips.yaml``: (file, JSON path) → the code of the warning that skips it
    (each entry also says why, for the reader)."""
    entries = yaml.safe_load(EXPECTED_SKIPS.read_text("utf-8")) or []
    return {(e["file"], e["at"]): str(e["code"]) for e in entries if e.get("reason")}


@dataclasses.dataclass
class Report:
    """The whole corpus check."""

    outcomes: list[Outcome]
    expected: dict[tuple[str, str], str]

    @property
    def failures(self) -> list[str]:
        """One line per problem: refused and crashing files, silent losses, unexpected or
        stale skips."""
        lines = [f"{o.spec}: {o.problem}" for o in self.outcomes if o.problem]
        for o in self.outcomes:
            if o.problem is None and o.lost:
                lines.append(f"{o.spec}: {o.lost} exposed operation(s) lost without a warning")
        skipped = {(o.spec, at): d for o in self.outcomes for at, d in o.skipped.items()}
        for (spec, at), warning in sorted(skipped.items()):
            if self.expected.get((spec, at)) != warning.code:
                lines.append(f"{spec}: unexpected skip at {at}: [{warning.code}] {warning.message}")
        for spec, at in sorted(self.expected.keys() - skipped.keys()):
            lines.append(f"{spec}: listed in expected-skips.yaml but no longer skipped: {at}")
        return lines

    def summary(self) -> str:
        """Files built and refused, operations exposed, generated and skipped."""
        built = [o for o in self.outcomes if o.problem is None]
        exposed = sum(o.exposed for o in built)
        skipped = sum(len(o.skipped) for o in built)
        share = 100 * skipped / exposed if exposed else 0.0
        return (
            f"corpus: {len(built)}/{len(self.outcomes)} files built; "
            f"{exposed} exposed operations, {sum(o.generated for o in built)} generated, "
            f"{skipped} skipped ({share:.2f} %), {len(self.failures)} problem(s)"
        )


def run() -> Report:
    """Build every positive alpha2 file of the corpus."""
    specs = [p for p in capability_files(*ALPHA2_FOLDERS) if _relative(p) not in NEGATIVE]
    return Report([build(spec) for spec in specs], expected_skips())


def _relative(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def main() -> int:
    """Print every problem and the summary; exit 1 when there is a problem."""
    report = run()
    for line in report.failures:
        print(line)
    print(report.summary())
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
