"""Every form a ``location`` may take, read by one parser (naftiko_codegen.locations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from naftiko_codegen.locations import (
    LocalPath,
    LocationError,
    location_problem,
    parse_location,
    resolve_location,
)


@pytest.mark.parametrize(
    ("location", "path", "relative"),
    [
        ("file://./shared/x.yaml", "./shared/x.yaml", True),
        ("file://shared/x.yaml", "shared/x.yaml", True),
        ("file:///./shared/x.yaml", "./shared/x.yaml", True),
        ("file:///../x.yaml", "../x.yaml", True),
        ("./shared/x.yaml", "./shared/x.yaml", True),
        ("shared/x.yaml", "shared/x.yaml", True),
        ("file:///etc/x.yaml", "/etc/x.yaml", False),
        ("file://localhost/etc/x.yaml", "/etc/x.yaml", False),
        ("file://./a%20b.json", "./a b.json", True),
        ("./a%20b.json", "./a%20b.json", True),
    ],
)
def test_forms(location: str, path: str, relative: bool) -> None:
    assert parse_location(location) == LocalPath(path, relative)


@pytest.mark.parametrize(
    "location",
    ["https://example.com/x.yaml", "vault://secrets/x", "file://./x.json?v=1", "file://", "./"],
)
def test_refused(location: str) -> None:
    with pytest.raises(LocationError):
        parse_location(location)


def test_canonical_forms_are_what_generated_code_reads() -> None:
    assert parse_location("./shared/secrets.yaml").canonical() == "file://./shared/secrets.yaml"
    assert parse_location("file:///./a b.json").canonical() == "file://./a%20b.json"
    assert parse_location("file:///abs/s.json").canonical() == "file:///abs/s.json"


def test_every_form_resolves_inside_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "x.yaml"
    target.write_text("{}")
    folder = tmp_path.resolve()
    forms = ["file://./shared/x.yaml", "file:///./shared/x.yaml", "./shared/x.yaml"]
    forms.append(target.resolve().as_uri())
    for location in forms:
        assert location_problem(location, folder) is None, location
        assert resolve_location(location, folder) == target.resolve()


def test_climbing_out_is_refused_whatever_the_form(tmp_path: Path) -> None:
    inner = tmp_path / "spec"
    inner.mkdir()
    for location in ("../x.yaml", "file:///../x.yaml", "file://./../x.yaml", "file:///etc/passwd"):
        problem = location_problem(location, inner.resolve())
        assert problem is not None and "outside" in problem[0], location
