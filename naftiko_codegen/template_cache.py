"""Where the templates' compiled form is kept: shipped with the compiler, then the user's cache.

Compiling the templates (lexing, parsing, generating and byte-compiling Python) costs more
than the rest of a cold build together, and a cold build is the common case where it
matters: CI and pre-commit run on fresh machines. So the wheel ships it: the build hook
(``hatch_build.py``) compiles every template with the Jinja it builds with into
:data:`SHIPPED`, and :class:`TemplateBytecodeCache` answers from there first, then from
the user's cache folder (``<cache dir>/jinja``, written on first use, as Python keeps
``.pyc`` files). An entry is used only for the same template source (Jinja checks a
checksum), the same Jinja release (part of the key) and the same Python (Jinja checks
its magic); anything else is compiled from source and kept in the user's cache, so a
change of Jinja costs one slow build, never every build.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import jinja2
import jinja2.bccache

SHIPPED = Path(__file__).parent / "_template_bytecode"
"""The compiled templates the build hook ships (absent in a checkout that was not installed)."""


class TemplateBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates, read from ``shipped`` then ``writable``, written to
    ``writable`` (either may be ``None``)."""

    def __init__(self, shipped: Path | None, writable: Path | None) -> None:
        self.folders = [folder for folder in (shipped, writable) if folder is not None]
        self.writable = writable

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """The template's name and the Jinja release, but not its path on disk, so that
        entries compiled at build time match the installed templates."""
        return hashlib.sha256(f"{jinja2.__version__}\0{name}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill ``bucket`` from the first folder holding a current entry for it."""
        for folder in self.folders:
            try:
                with open(folder / f"{bucket.key}.cache", "rb") as stream:
                    bucket.load_bytecode(stream)
            except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
                bucket.reset()  # missing or unreadable: a miss
            if bucket.code is not None:
                return

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a freshly compiled template in the writable folder (atomically; a folder
        that cannot be written is skipped: the cache is only a speed-up)."""
        if self.writable is None:
            return
        try:
            self.writable.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.writable, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                bucket.write_bytecode(stream)
            os.replace(temporary, self.writable / f"{bucket.key}.cache")
        except OSError:
            pass


def compile_all(environment: jinja2.Environment, target: Path) -> list[str]:
    """Compile every ``.j2`` template of ``environment`` into ``target`` (what the build
    hook ships); returns their names. The code records its template as
    ``naftiko_codegen/templates/<name>``, as installed."""
    assert environment.loader is not None
    target.mkdir(parents=True, exist_ok=True)
    cache = TemplateBytecodeCache(None, target)
    names = environment.list_templates(filter_func=lambda name: name.endswith(".j2"))
    for name in names:
        source, _, _ = environment.loader.get_source(environment, name)
        bucket = cache.get_bucket(environment, name, None, source)
        bucket.code = environment.compile(source, name, f"naftiko_codegen/templates/{name}")
        cache.set_bucket(bucket)
    return names
