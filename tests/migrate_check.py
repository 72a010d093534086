"""The migration check: every alpha2 file of ``tests/data/corpus`` that builds is migrated to
beta5, and the result is checked as the issue asks.

For each file: ``migrate`` succeeds; the migrated documents validate against naftiko-gen's
beta5 dialect; against the *official* beta5 schema they validate unless the file uses a
real-world form beta5 has no place for (then ``migrate`` warned with NG214, and
``expected-differences.yaml`` lists the file with those forms); and the migrated spec, written
under the same file name, renders the same files as the original (byte for byte; rendering
without formatting, which is byte-identical iff the formatted files are). A file whose build
cannot be identical is listed in ``expected-differences.yaml`` with the files that differ and
why. Runnable alone (``make migrate-corpus``)::

    python -m tests.migrate_check
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

import yaml

from naftiko_codegen.diagnostics import CompilationFailed
from naftiko_codegen.loader import load_text
from naftiko_codegen.migrate import migrate
from naftiko_codegen.migrate_report import form_of
from naftiko_codegen.pipeline import analyse
from naftiko_codegen.render import render_package
from naftiko_codegen.schema_check import check_schema

from .corpus_check import ALPHA2_FOLDERS, CORPUS, NEGATIVE, capability_files

EXPECTED = CORPUS / "expected-differences.yaml"


@dataclasses.dataclass
class Outcome:
    """What migrating one corpus file gave."""

    spec: str
    problem: str | None = None
    """Why the migration fails the check (migrate refused, dialect refused, build refused)."""
    forms: list[str] = dataclasses.field(default_factory=list)
    """The dialect forms the official beta5 schema refuses in the migrated files (sorted)."""
    warned: list[str] = dataclasses.field(default_factory=list)
    """The forms ``migrate`` warned about (NG214), sorted."""
    differing: list[str] = dataclasses.field(default_factory=list)
    """Rendered files that differ between the original's build and the migration's."""

    def entry(self) -> dict[str, object]:
        """The ``expected-differences.yaml`` entry of this outcome (forms and files)."""
        found: dict[str, object] = {"file": self.spec}
        if self.forms:
            found["official-schema"] = self.forms
        if self.differing:
            found["files"] = self.differing
        return found


def check(spec: Path) -> Outcome:
    """Migrate ``spec`` and compare its build with the original's."""
    outcome = Outcome(spec.relative_to(CORPUS).as_posix())
    try:
        original, _, digest = analyse(spec)
    except CompilationFailed:
        return outcome  # only files that build are migrated
    expected = render_package(original, digest)
    try:
        migration = migrate(spec)
    except CompilationFailed as failure:
        outcome.problem = "migrate refused: " + failure.diagnostics[0].format_text()
        return outcome
    outcome.warned = sorted({d.found and form_of_warning(d.message) or "" for d in migration.diagnostics} - {""})
    forms: set[str] = set()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for migrated in migration.files:
            target = root / migrated.relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(migrated.text, "utf-8")
            document = load_text(migrated.text, migrated.relative)
            if check_schema(document, "beta5") and any(
                d.severity.value == "error" for d in check_schema(document, "beta5")
            ):
                outcome.problem = f"{migrated.relative}: the beta5 dialect refuses the migration"
                return outcome
            forms |= {form_of(d) for d in check_schema(document, "beta5-official")}
        try:
            built, _, digest = analyse(root / migration.files[0].relative)
        except CompilationFailed as failure:
            outcome.problem = "the migration is refused: " + failure.diagnostics[0].format_text()
            return outcome
    outcome.forms = sorted(forms)
    actual = render_package(built, digest)
    outcome.differing = sorted(
        name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name)
    )
    return outcome


def form_of_warning(message: str) -> str:
    """The form an NG214 warning names (its message quotes :data:`FORMS`)."""
    from naftiko_codegen.migrate_report import FORMS

    for name, text in FORMS.items():
        if text in message:
            return name
    return ""


def expected() -> dict[str, dict[str, object]]:
    """``expected-differences.yaml`` by file."""
    entries = yaml.safe_load(EXPECTED.read_text("utf-8")) if EXPECTED.exists() else []
    return {e["file"]: {k: v for k, v in e.items() if k not in ("file", "reason")} for e in entries or []}


def run() -> list[Outcome]:
    """Check every positive alpha2 file of the corpus."""
    specs = [
        p
        for p in capability_files(*ALPHA2_FOLDERS)
        if p.relative_to(CORPUS).as_posix() not in NEGATIVE
    ]
    return [check(spec) for spec in specs]


def main() -> int:
    """Print the problems, the differences and the counts; exit 1 when there is a problem."""
    outcomes = run()
    for outcome in outcomes:
        if outcome.problem:
            print(f"{outcome.spec}: {outcome.problem}")
    if "--write" in sys.argv:
        entries = [o.entry() for o in outcomes if o.forms or o.differing]
        print(yaml.safe_dump(entries, sort_keys=False, width=100))
    official = sum(not o.forms and not o.problem for o in outcomes)
    identical = sum(not o.differing and not o.problem for o in outcomes)
    print(
        f"migrate: {len(outcomes)} files, {sum(not o.problem for o in outcomes)} migrated, "
        f"{official} valid against the official beta5 schema, {identical} build byte-identical"
    )
    return 1 if any(o.problem for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
