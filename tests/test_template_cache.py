"""Templates compiled at build time (hatch_build.py) and kept in the user's cache
(naftiko_codegen/template_cache.py): used when current, never when stale, and a miss is
compiled once and then reused."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from naftiko_codegen import pipeline, render
from naftiko_codegen.template_cache import TemplateBytecodeCache, compile_all

ROOT = Path(__file__).resolve().parent.parent
FLYTE = ROOT / "specs" / "flyte-admin-executions.yaml"


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source from now on in this test."""
    names: list[str] = []
    original = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: str, name: str | None = None, *a: object) -> object:
        names.append(name or "")
        return original(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return names


def over(templates: Path, cache: jinja2.BytecodeCache | None) -> jinja2.Environment:
    """The compiler's environment over the templates in ``templates``, with ``cache``."""
    return render.new_environment(None).overlay(
        loader=jinja2.FileSystemLoader(str(templates)), bytecode_cache=cache
    )


def load_every_template(env: jinja2.Environment) -> None:
    for name in env.list_templates(filter_func=lambda name: name.endswith(".j2")):
        env.get_template(name)


def render_with(env: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The Flyte package rendered through ``env``."""
    capability, _, digest = pipeline.analyse(FLYTE)
    monkeypatch.setattr(render, "environment", lambda: env)
    return render.render_package(capability, digest)


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the templates that a test may edit."""
    copy = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), copy)
    return copy


def test_shipped_templates_render_without_compiling(
    tmp_path: Path, compiled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every template compiled ahead (what the build hook ships) loads without compiling
    and renders the same package as compiling the sources."""
    expected = render_with(over(render.templates_dir(), None), monkeypatch)
    shipped = tmp_path / "shipped"
    names = compile_all(render.new_environment(None), shipped)
    assert len(list(shipped.glob("*.cache"))) == len(names) > 10
    compiled.clear()
    env = over(render.templates_dir(), TemplateBytecodeCache(shipped, None))
    assert render_with(env, monkeypatch) == expected
    assert compiled == []


def test_an_edited_template_is_compiled_once_and_kept(
    tmp_path: Path, templates: Path, compiled: list[str]
) -> None:
    """A template edited after the build is compiled from its source (the shipped entry no
    longer matches), kept in the user's cache and read from there the next time; the other
    templates still come from the shipped entries."""
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    compile_all(over(templates, None), shipped)
    readme = templates / "README.md.j2"
    readme.write_text(readme.read_text("utf-8") + "EDITED {{ 1 + 1 }}\n", "utf-8")
    compiled.clear()

    def fresh() -> jinja2.Environment:
        return over(templates, TemplateBytecodeCache(shipped, user))

    load_every_template(fresh())
    assert compiled == ["README.md.j2"]
    assert len(list(user.glob("*.cache"))) == 1
    compiled.clear()
    env = fresh()
    load_every_template(env)
    assert compiled == []
    capability, _, digest = pipeline.analyse(FLYTE)
    text = env.get_template("README.md.j2").render(cap=capability, spec_digest=digest)
    assert text.endswith("EDITED 2\n")


def test_another_jinja_release_compiles_and_then_reuses(
    tmp_path: Path, compiled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja's compiled code belongs to its release: under another, no shipped entry is
    used, every template is compiled once (the same package results) and the user's cache
    answers from then on."""
    expected = render_with(over(render.templates_dir(), None), monkeypatch)
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    names = compile_all(render.new_environment(None), shipped)
    monkeypatch.setattr(jinja2, "__version__", "0.0.0-another")
    compiled.clear()
    env = over(render.templates_dir(), TemplateBytecodeCache(shipped, user))
    assert render_with(env, monkeypatch) == expected
    load_every_template(env)
    assert sorted(compiled) == sorted(names)
    compiled.clear()
    load_every_template(over(render.templates_dir(), TemplateBytecodeCache(shipped, user)))
    assert compiled == []


@pytest.mark.parametrize(
    "damage",
    [lambda data: b"", lambda data: data[: len(data) // 2], lambda data: b"j2" + data[2:][::-1]],
    ids=["empty", "truncated", "garbled"],
)
def test_a_damaged_entry_is_a_miss(
    tmp_path: Path, compiled: list[str], damage: Callable[[bytes], bytes]
) -> None:
    shipped = tmp_path / "shipped"
    compile_all(render.new_environment(None), shipped)
    for entry in shipped.glob("*.cache"):
        entry.write_bytes(damage(entry.read_bytes()))
    compiled.clear()
    load_every_template(over(render.templates_dir(), TemplateBytecodeCache(shipped, None)))
    assert len(compiled) == len(list(shipped.glob("*.cache")))


def test_the_user_cache_lives_in_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", str(tmp_path))
    assert render._bytecode_cache().writable == tmp_path / "jinja"
    monkeypatch.setenv("NAFTIKO_GEN_CACHE_DIR", "off")
    assert render._bytecode_cache().writable is None


def test_the_wheel_ships_every_template_compiled(tmp_path: Path, compiled: list[str]) -> None:
    """The real build hook: a wheel built from this checkout holds the templates and their
    compiled form, and the compiler installed from it compiles nothing."""
    from hatchling.builders.wheel import WheelBuilder

    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        members = archive.namelist()
        archive.extractall(installed)
    assert not [m for m in members if m.startswith("naftiko_codegen/compiled_templates")]
    package = installed / "naftiko_codegen"
    entries = list((package / "_template_bytecode").glob("*.cache"))
    templates = sorted((package / "templates").rglob("*.j2"))
    assert len(entries) == len(templates) > 10
    compiled.clear()
    cache = TemplateBytecodeCache(package / "_template_bytecode", None)
    load_every_template(over(package / "templates", cache))
    assert compiled == []
