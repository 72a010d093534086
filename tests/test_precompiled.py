"""The templates ship compiled (naftiko_codegen/precompiled.py): current, used, and never stale."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from naftiko_codegen import compiled_templates, pipeline, render
from naftiko_codegen.precompiled import PrecompiledLoader, module_name, template_names

ROOT = Path(__file__).resolve().parent.parent
FLYTE = ROOT / "specs" / "flyte-admin-executions.yaml"


def templates() -> list[str]:
    """Every template the compiler renders from."""
    return template_names(render.environment())


def test_committed_compiled_templates_are_current() -> None:
    """``scripts/compile_templates.py --check``: no compiled module is missing, stale or extra
    (for the Jinja that compiled them; another Jinja is the next test's case)."""
    if jinja2.__version__ != compiled_templates.JINJA_VERSION:
        pytest.skip(
            f"compiled with Jinja {compiled_templates.JINJA_VERSION}, {jinja2.__version__} is "
            "installed: `make templates` recompiles them"
        )
    command = [sys.executable, str(ROOT / "scripts" / "compile_templates.py"), "--check"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_every_template_loads_from_its_compiled_module() -> None:
    """In the compiler's environment no template is compiled from source."""
    env = render.environment().overlay()  # a fresh template cache, the same loader
    for name in templates():
        filename = Path(env.get_template(name).filename or "")
        assert filename.parent.name == "compiled_templates", name
        assert filename.stem == module_name(name)


def test_compiled_and_source_templates_render_the_same_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rendering through the compiled modules and through the sources gives the same bytes."""
    capability, _, digest = pipeline.analyse(FLYTE)
    compiled = render.render_package(capability, digest)
    source_only = render.environment().overlay(
        loader=jinja2.FileSystemLoader(str(render.templates_dir())), bytecode_cache=None
    )
    monkeypatch.setattr(render, "environment", lambda: source_only)
    assert render.render_package(capability, digest) == compiled


def test_an_edited_template_is_compiled_from_its_source(tmp_path: Path) -> None:
    """A template whose source no longer matches its compiled module is read from disk;
    the others still come compiled."""
    copy = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), copy)
    readme = copy / "README.md.j2"
    readme.write_text(readme.read_text(encoding="utf-8") + "EDITED {{ 1 + 1 }}\n", "utf-8")
    env = render.environment().overlay(loader=PrecompiledLoader(str(copy)), bytecode_cache=None)
    edited = env.get_template("README.md.j2")
    assert Path(edited.filename or "") == readme
    capability, _, digest = pipeline.analyse(FLYTE)
    assert edited.render(cap=capability, spec_digest=digest).endswith("EDITED 2\n")
    untouched = env.get_template("env.example.j2")
    assert Path(untouched.filename or "").parent.name == "compiled_templates"


def test_a_template_compiled_from_source_is_kept_in_the_bytecode_cache(tmp_path: Path) -> None:
    """The fallback keeps what it compiled, like a ``.pyc``: written once, then reused."""
    copy = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), copy)
    readme = copy / "README.md.j2"
    readme.write_text(readme.read_text(encoding="utf-8") + "EDITED\n", "utf-8")
    cache = tmp_path / "jinja"
    cache.mkdir()

    def load() -> list[tuple[str, int]]:
        env = render.environment().overlay(
            loader=PrecompiledLoader(str(copy)),
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)),
        )
        env.get_template("README.md.j2")
        env.get_template("env.example.j2")
        return [(p.name, p.stat().st_mtime_ns) for p in sorted(cache.iterdir())]

    first = load()
    assert len(first) == 1  # only the edited template was compiled
    assert load() == first


def test_templates_compiled_by_another_jinja_are_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Jinja's generated code belongs to its version: under another one, every template is
    compiled from its source (and renders the same package)."""
    capability, _, digest = pipeline.analyse(FLYTE)
    expected = render.render_package(capability, digest)
    monkeypatch.setattr(jinja2, "__version__", "0.0.0-another")
    env = render.environment().overlay(cache_size=0, bytecode_cache=None)
    for name in templates():
        assert Path(env.get_template(name).filename or "").suffix == ".j2", name
    monkeypatch.setattr(render, "environment", lambda: env)
    assert render.render_package(capability, digest) == expected


def test_other_syntax_options_do_not_use_the_compiled_modules() -> None:
    """The key covers the environment's syntax options: with other options (here
    ``trim_blocks`` off) Jinja's generated code would differ, so the source is compiled."""
    env = render.environment().overlay(trim_blocks=False, bytecode_cache=None)
    template = env.get_template("env.example.j2")
    assert Path(template.filename or "").suffix == ".j2"
