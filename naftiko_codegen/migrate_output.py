"""Where ``naftiko-gen migrate`` puts what it migrated.

``-o FILE`` writes the spec there and the files it imports beside it, at the paths the spec
uses for them (``shared/api.yaml`` next to ``FILE``); ``-o DIRECTORY`` (an existing one, or a
path ending with ``/``) does the same with the spec's own file name. Without ``-o`` the spec
goes to stdout and the imported files are only listed. Nothing is written when a target
would replace one of the alpha2 sources; each file is written atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from .migrate import Migration


class OutputRefused(Exception):
    """The output cannot be written (it would overwrite a source, or a folder is in the way)."""


def deliver(migration: Migration, spec: Path, out: str | None) -> list[str]:
    """Write (or print) the migration; the lines that say what went where (``out`` as the
    user wrote it: a trailing ``/`` names a directory)."""
    main, *imported = migration.files
    if out is None:
        click.echo(main.text, nl=False)
        return [
            f"not written: {f.relative} (imported by the spec; give -o to migrate it too)"
            for f in imported
        ]
    folder = Path(out).is_dir() or out.endswith(("/", os.sep))
    target = Path(out) / spec.name if folder else Path(out)
    planned = [(target, main)] + [(target.parent / f.relative, f) for f in imported]
    sources = {f.source.resolve() for f in migration.files}
    for path, _ in planned:
        if path.resolve() in sources:
            raise OutputRefused(f"{path} is an alpha2 source of this migration; write elsewhere")
        if path.is_dir():
            raise OutputRefused(f"{path} is a directory")
    lines = []
    for path, migrated in planned:
        _write_atomically(path, migrated.text)
        lines.append(
            f"wrote {path}"
            if migrated is main
            else f"wrote {path} (imported as {migrated.relative})"
        )
    return lines


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
