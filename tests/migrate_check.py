"""The migration check: every alpha2 file of ``tests/data/corpus`` that builds is migrated to
beta5, and the result is checked as the issue asks.

For each file: ``migrate`` succeeds; the migrated documents validate against naftiko-gen's
beta5 dialect; against the *official* beta5 schema they validate unless the file uses a
real-world form beta5 has no place for (then ``migrate`` warned with NG217, and
``expected-differences.yaml`` lists the file with those forms); and the migrated spec, written
under the same file name, renders the same files as the original (byte for byte; rendering
without formatting, which is byte-identical iff the formatted files are). A file whose build
cannot be identical is listed in ``expected-differences.yaml`` with the files that differ and
why. Runnable alone (``make migrate-corpus``)::

    python -m tests.migrate_check
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import sys
import tempfile
from pathlib import Path

import jsonschema
import yaml

from naftiko_codegen.diagnostics import CompilationFailed
from naftiko_codegen.loader import load_text
from naftiko_codegen.migrate import migrate
from naftiko_codegen.migrate_report import FORMS
from naftiko_codegen.pipeline import analyse
from naftiko_codegen.render import render_package
from naftiko_codegen.schema_check import load_schema

from .corpus_check import ALPHA2_FOLDERS, CORPUS, NEGATIVE, capability_files

EXPECTED = CORPUS / "expected-differences.yaml"


@dataclasses.dataclass
class Outcome:
    """What migrating one corpus file gave."""

    spec: str
    problem: str | None = None
    """Why the migration fails the check (migrate refused, dialect refused, build refused)."""
    official: bool = True
    """The migrated files validate against the official beta5 schema."""
    warned: list[str] = dataclasses.field(default_factory=list)
    """The real-world forms ``migrate`` kept and warned about (NG217), sorted."""
    differing: list[str] = dataclasses.field(default_factory=list)
    """Rendered files that differ between the original's build and the migration's."""

    def entry(self) -> dict[str, object]:
        """The ``expected-differences.yaml`` entry of this outcome (forms and files)."""
        found: dict[str, object] = {"file": self.spec}
        if self.warned:
            found["forms"] = self.warned
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
    expected_files = render_package(original, digest)
    try:
        migration = migrate(spec)
    except CompilationFailed as failure:
        outcome.problem = "migrate refused: " + failure.diagnostics[0].format_text()
        return outcome
    outcome.warned = sorted(
        {form_named(d.message) for d in migration.diagnostics if d.code == "NG217"}
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        valid = True
        for migrated in migration.files:
            target = root / migrated.relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(migrated.text, "utf-8")
            valid = valid and official_validator().is_valid(load_text(migrated.text, "x").data)
        outcome.official = valid
        try:  # the build reads the migration with the beta5 front-end (its dialect schema)
            built, _, digest = analyse(root / migration.files[0].relative)
        except CompilationFailed as failure:
            outcome.problem = "the migration is refused: " + failure.diagnostics[0].format_text()
            return outcome
    actual = render_package(built, digest)
    outcome.differing = sorted(
        name
        for name in expected_files.keys() | actual.keys()
        if expected_files.get(name) != actual.get(name)
    )
    return outcome


@functools.cache
def official_validator() -> jsonschema.Draft202012Validator:
    """The official beta5 schema's validator (independent of naftiko-gen's reporting)."""
    return jsonschema.Draft202012Validator(load_schema("beta5-official"))


def form_named(message: str) -> str:
    """The form an NG217 warning names (its message quotes :data:`FORMS`)."""
    return next((name for name, text in FORMS.items() if text in message), "other")


def expected() -> dict[str, dict[str, object]]:
    """``expected-differences.yaml`` by file."""
    entries = yaml.safe_load(EXPECTED.read_text("utf-8")) if EXPECTED.exists() else []
    return {
        e["file"]: {k: v for k, v in e.items() if k not in ("file", "reason")}
        for e in entries or []
    }


def run() -> list[Outcome]:
    """Check every positive alpha2 file of the corpus (on two processes: the files are
    independent)."""
    specs = [
        p
        for p in capability_files(*ALPHA2_FOLDERS)
        if p.relative_to(CORPUS).as_posix() not in NEGATIVE
    ]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return pool.map(check, specs, chunksize=8)


def summary(outcomes: list[Outcome]) -> str:
    """The counts: files migrated, valid against the official schema, byte-identical."""
    migrated = [o for o in outcomes if not o.problem]
    return (
        f"migrate: {len(migrated)}/{len(outcomes)} files migrated, "
        f"{sum(o.official for o in migrated)} valid against the official beta5 schema, "
        f"{sum(not o.differing for o in migrated)} build byte-identical"
    )


def main() -> int:
    """Print the problems, the differences and the counts; exit 1 when there is a problem."""
    outcomes = run()
    for outcome in outcomes:
        if outcome.problem:
            print(f"{outcome.spec}: {outcome.problem}")
    if "--write" in sys.argv:
        entries = [o.entry() for o in outcomes if o.warned or o.differing]
        print(yaml.safe_dump(entries, sort_keys=False, width=100))
    print(summary(outcomes))
    return 1 if any(o.problem for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
