"""The formatting cache returns exactly what black returns, and never gets in the way."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from naftiko_codegen.formatting import black_mode, cache_dir, format_python

SOURCE = "def f( a,b ):\n  return {'x':a,'y':b}\n"


def test_cache_hit_equals_black(tmp_path: Path) -> None:
    expected = black.format_str(SOURCE, mode=black_mode())
    assert format_python(SOURCE, tmp_path) == expected
    assert len(list(tmp_path.rglob("*"))) == 2  # one folder, one entry
    assert format_python(SOURCE, tmp_path) == expected


def test_unusable_cache_is_ignored(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    assert format_python(SOURCE, blocked) == black.format_str(SOURCE, mode=black_mode())


def test_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    assert cache_dir() is None
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    monkeypatch.delenv("NAFTIKO_GEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "naftiko-gen"
