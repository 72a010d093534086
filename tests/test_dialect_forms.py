"""The forms real capability files use, at build time (``docs/semantics.md`` §12–§14):
``tests/data/forms/real-world-forms.yaml`` builds with only the expected warnings and
Python-safe names; ``tests/e2e/test_dialect_forms_e2e.py`` serves it."""

from __future__ import annotations

from pathlib import Path

from naftiko_codegen.pipeline import analyse

from .conftest import DATA

FORMS = DATA / "forms" / "real-world-forms.yaml"


def test_only_the_expected_warnings() -> None:
    _, diagnostics, _ = analyse(FORMS)
    assert [(d.code, d.json_path) for d in diagnostics] == [
        ("NG100", "$.info.related"),
        ("NG206", "$.capability.exposes[0].resources[4].operations[0]"),
        ("NG207", "$.capability.exposes[1].tools[4].name"),
    ]
    assert "already served by `GET /v1/keys/{key}/rows` (line 134)" in diagnostics[1].message


def test_python_keywords_as_operation_names_build(tmp_path: Path) -> None:
    """``class`` and ``import`` name consumed operations above; the package type-checks (the
    corpus and hostile-names tests check this at scale)."""
    capability, _, _ = analyse(FORMS)
    idents = {op.name: op.ident for op in capability.apis[0].operations}
    assert (idents["class"], idents["import"]) == ("class_", "import_")
