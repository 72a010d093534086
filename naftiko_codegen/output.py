"""Write phase: the output directory is owned by the generator through a manifest.

The manifest (``OUT/.naftiko-gen.json``) lists every file naftiko-gen wrote, with its
SHA-256. A build:

* refuses a non-empty directory without a manifest unless forced, and refuses to overwrite a
  file it did not write unless forced;
* removes the files a previous build wrote that are no longer generated;
* never touches any other file (hand-written files, caches, ``.git``...);
* replaces the whole tree atomically. The new tree is assembled in a private sibling
  directory (generated files written there; unchanged files and every file naftiko-gen does
  not own hard-linked from the current tree, so they keep their identity), then swapped with
  the current directory in one ``rename`` (Linux ``renameat2(RENAME_EXCHANGE)``, macOS
  ``renamex_np(RENAME_SWAP)``). A build killed at any moment therefore leaves either the
  complete previous tree or the complete new one; at worst a hidden
  ``.OUT.naftiko-gen-*`` directory is left beside OUT and the next build removes it. A first
  build into a directory that does not exist yet is a single plain ``rename``.
  Where the swap is not possible (another platform, a file system without it, OUT being a
  mount point, an unwritable parent directory), each file is still replaced atomically and
  the manifest is written last.
* writes nothing at all when the directory is already up to date.

``compare_tree`` is the read-only side (``build --check`` and ``--diff``).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import os
from pathlib import Path, PurePosixPath

from . import __version__, tree_io
from .tree_io import MANIFEST, OutputError, read_manifest

_IGNORED_DIRS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
"""Caches that tools create inside a package; never counted as drift."""


@dataclasses.dataclass(frozen=True)
class Drift:
    """Differences between the generated files and an output directory."""

    changed: list[str]
    missing: list[str]
    extra: list[str]
    diff: str

    @property
    def clean(self) -> bool:
        """True when nothing differs."""
        return not (self.changed or self.missing or self.extra)


def digest(text: str) -> str:
    """SHA-256 of a file's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_text(files: dict[str, str], spec_digest: str) -> str:
    """The manifest: generator version, spec digest, and the digest of every file written."""
    manifest = {
        "generator": "naftiko-gen",
        "generator_version": __version__,
        "spec_sha256": spec_digest,
        "files": {path: digest(text) for path, text in sorted(files.items())},
    }
    return json.dumps(manifest, indent=2) + "\n"


def with_manifest(files: dict[str, str], spec_digest: str) -> dict[str, str]:
    """The generated files plus the manifest describing them."""
    return {**files, MANIFEST: manifest_text(files, spec_digest)}


@dataclasses.dataclass(frozen=True)
class WriteReport:
    """What :func:`write_tree` did."""

    written: list[str]
    """Files (re)written, the manifest included; empty when the tree was up to date."""
    removed: list[str]
    """Files a previous build wrote that are no longer generated."""
    kept_aside: list[str]
    """Files created in the output directory while the build ran that could not be put back
    (left in the old tree's directory beside it, named in a warning)."""


def write_tree(
    out: Path, files: dict[str, str], spec_digest: str, *, force: bool = False
) -> WriteReport:
    """Write ``files`` (and the manifest) into ``out``.

    Raises :class:`OutputError` when ``out`` is not a directory, is a non-empty directory
    naftiko-gen does not own (no manifest), or holds a file naftiko-gen did not write where
    a generated file goes (unless ``force``), or when the file system refuses.
    """
    expected = with_manifest(files, spec_digest)
    for relative in expected:
        tree_io.check_relative(relative)
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory")
    try:
        return _write_tree(out, expected, force)
    except OSError as error:
        raise OutputError(f"cannot write {out}: {error.strerror or error}") from None


def _write_tree(out: Path, expected: dict[str, str], force: bool) -> WriteReport:
    real_out = out.resolve() if out.exists() else Path(os.path.abspath(out))
    tree_io.sweep(real_out)
    try:
        previous = read_manifest(real_out) if real_out.is_dir() else None
    except OutputError:
        if not force:
            raise
        previous = None
    if previous is None and real_out.is_dir() and any(real_out.iterdir()) and not force:
        raise OutputError(
            f"{out} is not empty and was not written by naftiko-gen (no {MANIFEST}); "
            "choose an empty directory or pass --force"
        )
    owned = set(previous or {})
    blocked = [
        relative
        for relative in sorted(expected)
        if (real_out / relative).is_dir() and not (real_out / relative).is_symlink()
    ]
    if blocked:
        raise OutputError(
            f"{out} has directories where generated files go ({', '.join(blocked)}); "
            "move them away"
        )
    foreign = _foreign_in_the_way(real_out, expected, owned)
    if foreign and not force:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" * (len(foreign) > 5))
        raise OutputError(
            f"{out} holds files naftiko-gen did not write where generated files go ({shown}); "
            "move them away or pass --force"
        )
    stale = sorted(
        relative
        for relative in owned - set(expected)
        if os.path.lexists(real_out / relative) and not (real_out / relative).is_dir()
    )
    changed = [
        relative
        for relative, text in sorted(expected.items())
        if tree_io.read_bytes(real_out / relative) != text.encode("utf-8")
    ]
    if not stale and not changed:
        return WriteReport([], [], [])  # up to date: touch nothing
    real_out.parent.mkdir(parents=True, exist_ok=True)
    try:
        left = tree_io.swap_write(
            real_out, expected, owned, set(foreign), tree_io.exchange_function()
        )
    except tree_io.SwapUnavailable:
        _write_in_place(real_out, expected, owned)
        return WriteReport(changed, stale, [])
    return WriteReport(changed, stale, left)


def _foreign_in_the_way(real_out: Path, expected: dict[str, str], owned: set[str]) -> list[str]:
    """Paths naftiko-gen did not write that a generated file would replace (different content,
    or a file where a generated directory goes)."""
    if not real_out.is_dir():
        return []
    found = []
    for relative, text in sorted(expected.items()):
        parts = PurePosixPath(relative).parts
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            candidate = real_out / prefix
            if os.path.lexists(candidate) and not (
                candidate.is_dir() and not candidate.is_symlink()
            ):
                if prefix not in owned:
                    found.append(prefix)
                break
        else:
            target = real_out / relative
            if relative in owned or relative == MANIFEST or not os.path.lexists(target):
                continue
            if tree_io.read_bytes(target) != text.encode("utf-8"):
                found.append(relative)
    return sorted(set(found))


def _write_in_place(real_out: Path, expected: dict[str, str], owned: set[str]) -> None:
    """The fallback: every file replaced atomically, stale files removed, manifest last."""
    for relative, text in sorted(expected.items()):
        if relative == MANIFEST:
            continue
        target = tree_io.safe_target(real_out, relative)
        if tree_io.read_bytes(target) != text.encode("utf-8"):
            tree_io.atomic_write(target, text)
    for relative in sorted(owned - set(expected)):
        target = tree_io.safe_target(real_out, relative)
        if target.is_file():
            target.unlink()
            _prune_empty_parents(target.parent, real_out)
    tree_io.atomic_write(real_out / MANIFEST, expected[MANIFEST])


def _prune_empty_parents(folder: Path, out: Path) -> None:
    root = out.resolve()
    folder = folder.resolve()
    while folder != root and root in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _tree_files(out: Path) -> list[str]:
    """Every file below ``out`` (POSIX relative paths), caches excluded."""
    found: list[str] = []
    for folder, subfolders, filenames in os.walk(out):
        subfolders[:] = sorted(d for d in subfolders if d not in _IGNORED_DIRS)
        base = Path(folder).relative_to(out)
        found.extend((base / name).as_posix() for name in filenames)
    return found


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError as error:
        return f"<unreadable: {error.strerror or error}>\n"


def _unified(before: str, after: str, old_name: str, new_name: str) -> list[str]:
    lines = list(
        difflib.unified_diff(before.splitlines(True), after.splitlines(True), old_name, new_name)
    )
    marker = "\n\\ No newline at end of file\n"
    return [line if line.endswith("\n") else line + marker for line in lines]


def compare_tree(out: Path, files: dict[str, str], spec_digest: str, *, label: str = "") -> Drift:
    """Compare the generated ``files`` (and their manifest) with what ``out`` holds.

    ``label`` prefixes the paths in the diff's headers (``a/<label>/<file>``), so that the
    diffs of several output directories can be told apart. Raises :class:`OutputError` when
    ``out`` exists and is not a directory.
    """
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory")
    expected = with_manifest(files, spec_digest)
    prefix = f"{label.strip('/')}/" if label.strip("/") else ""
    changed: list[str] = []
    missing: list[str] = []
    diff: list[str] = []
    for relative, text in sorted(expected.items()):
        target = out / relative
        if not target.is_file():
            missing.append(relative)
            diff.extend(_unified("", text, "/dev/null", f"b/{prefix}{relative}"))
            continue
        actual = _read_text(target)
        if actual != text:
            changed.append(relative)
            diff.extend(_unified(actual, text, f"a/{prefix}{relative}", f"b/{prefix}{relative}"))
    extra = sorted(set(_tree_files(out)) - set(expected)) if out.is_dir() else []
    for relative in extra:
        diff.extend(_unified(_read_text(out / relative), "", f"a/{prefix}{relative}", "/dev/null"))
    return Drift(changed, missing, extra, "".join(diff))


__all__ = [
    "MANIFEST",
    "Drift",
    "OutputError",
    "WriteReport",
    "compare_tree",
    "digest",
    "manifest_text",
    "read_manifest",
    "with_manifest",
    "write_tree",
]
