"""The two sides of ``naftiko-gen diff``: a file, or ``git:REV:PATH`` read from git.

``git:REV:PATH`` names PATH as ``git show REV:PATH`` does: from the top of the repository,
or from the working directory when it starts with ``./`` or ``../``. The spec's whole folder
at REV is extracted into a temporary directory (a spec may read only files inside its own
folder, NG212), so files it imports come from the same revision. Diagnostics and locations
name the file ``git:REV:PATH``.
"""

from __future__ import annotations

import dataclasses
import io
import os
import posixpath
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from . import pipeline
from .diagnostics import CompilationFailed, Diagnostic
from .loader import load_document
from .surface import Surface, extract

GIT_PREFIX = "git:"


class RevisionError(Exception):
    """A ``git:`` argument cannot be read (the message says why)."""


@dataclasses.dataclass(frozen=True)
class Side:
    """One side of a diff, read and located."""

    surface: Surface
    warnings: list[Diagnostic]


@contextmanager
def materialised(argument: str) -> Iterator[tuple[Path, str, Path | None]]:
    """The spec file ``argument`` names, as (path to read, name to show, the working-tree
    file it corresponds to for configuration look-ups)."""
    if not argument.startswith(GIT_PREFIX):
        yield Path(argument), argument, Path(argument)
        return
    revision, separator, path = argument[len(GIT_PREFIX) :].partition(":")
    if not separator or not revision or not path:
        raise RevisionError(f"{argument}: expected git:REV:PATH (for example git:HEAD~1:spec.yaml)")
    top = Path(_git("rev-parse", "--show-toplevel").strip())
    if path.startswith(("./", "../")):
        prefix = _git("rev-parse", "--show-prefix").strip()
        path = posixpath.normpath(posixpath.join(prefix, path))
    if path.startswith("../") or path == "..":
        raise RevisionError(f"{argument}: {path} is outside the repository")
    _git("cat-file", "-e", f"{revision}:{path}", what=f"{argument}: no such file at {revision}")
    with revision_tree(revision, top / posixpath.dirname(path)) as (root, _):
        yield root / path, f"git:{revision}:{path}", top / path


@contextmanager
def revision_tree(revision: str, folder: Path) -> Iterator[tuple[Path, Path]]:
    """``folder`` (of the working tree) as it was at ``revision``, extracted into a temporary
    directory: (the directory standing for the repository's top, the top itself)."""
    top = Path(
        _git(
            "-C", str(folder if folder.is_dir() else folder.parent), "rev-parse", "--show-toplevel"
        ).strip()
    )
    _git(
        "-C",
        str(top),
        "rev-parse",
        "--verify",
        "--quiet",
        f"{revision}^{{commit}}",
        what=f"{revision} is not a revision of the repository at {top}",
    )
    relative = Path(os.path.relpath(folder.resolve(), top.resolve())).as_posix()
    if relative.startswith(".."):
        raise RevisionError(f"{folder} is outside the repository at {top}")
    listed = _git("-C", str(top), "ls-tree", "--name-only", revision, "--", relative)
    with tempfile.TemporaryDirectory(prefix="naftiko-gen-diff-") as temporary:
        root = Path(temporary)
        if listed.strip():  # the folder existed at the revision
            archive = _git_bytes(
                "-C", str(top), "archive", "--format=tar", revision, "--", relative
            )
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(root, filter="data")
        yield root, top


def _git(*args: str, what: str | None = None) -> str:
    return _git_bytes(*args, what=what).decode("utf-8", errors="replace")


def _git_bytes(*args: str, what: str | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], capture_output=True, timeout=120, check=False)
    except OSError as error:
        raise RevisionError(f"cannot run git: {error.strerror or error}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", errors="replace").strip()
        raise RevisionError(what or f"git {' '.join(args)}: {detail}")
    return done.stdout


def read_side(argument: str, package_name: Callable[[Path | None], str | None]) -> Side:
    """The surface of the capability ``argument`` names; raises
    :class:`CompilationFailed` (diagnostics naming ``argument``) or :class:`RevisionError`."""
    with materialised(argument) as (path, shown, working):
        return read_spec(path, shown, package_name(working))


def read_spec(path: Path, shown: str, package_name: str | None) -> Side:
    """The surface of the capability in ``path``, shown as ``shown`` (a ``git:`` name when it
    was extracted from a revision)."""
    rename = _renamer(path, shown)
    try:
        capability, warnings, _ = pipeline.analyse(path, package_name=package_name)
    except CompilationFailed as failure:
        raise CompilationFailed([rename(d) for d in failure.diagnostics]) from None
    document = load_document(path, display_name=shown)
    return Side(extract(capability, document), [rename(d) for d in warnings])


def _renamer(path: Path, shown: str) -> Callable[[Diagnostic], Diagnostic]:
    """Diagnostics of a spec read from a temporary copy name the ``git:`` argument (and the
    files it imports ``git:REV:<their path>``)."""
    if not shown.startswith(GIT_PREFIX):
        return lambda diagnostic: diagnostic
    revision = shown[len(GIT_PREFIX) :].partition(":")[0]
    spec_path = shown[len(GIT_PREFIX) + len(revision) + 1 :]
    root = path.resolve().parents[len(PurePosixPath(spec_path).parts) - 1]

    def rename(diagnostic: Diagnostic) -> Diagnostic:
        file = Path(os.path.abspath(diagnostic.file)).resolve()
        if root not in file.parents:
            return diagnostic
        relative = file.relative_to(root).as_posix()
        return dataclasses.replace(diagnostic, file=f"git:{revision}:{relative}")

    return rename
