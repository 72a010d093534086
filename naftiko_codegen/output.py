"""Write phase: the output directory is owned by the generator through a manifest.

A build writes every file atomically (temporary file, then rename), removes files a
previous build wrote that are no longer generated, never touches files it did not
write, and refuses a non-empty directory without a manifest unless forced. The
manifest is written last, so a build killed at any moment leaves either the previous
complete tree or the new one, never a mix that the manifest does not describe.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from . import __version__

MANIFEST = ".naftiko-gen.json"
"""Name of the manifest file in the output directory."""


class OutputError(Exception):
    """The output directory cannot be written as asked (message says why)."""


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


def read_manifest(out: Path) -> dict[str, str] | None:
    """Files listed in the manifest of ``out`` (``None`` when there is no manifest)."""
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        files = data["files"]
        if not isinstance(files, dict):
            raise TypeError
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError, OSError):
        raise OutputError(f"{path} is not a naftiko-gen manifest; remove it or use --force") from None


def _safe_target(out: Path, relative: str) -> Path:
    target = (out / relative).resolve()
    root = out.resolve()
    if root != target and root not in target.parents:
        raise OutputError(f"refusing to touch {relative!r}: it is outside {out}")
    return target


def _file_mode() -> int:
    """The permissions an ordinary new file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".naftiko-gen-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _file_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_tree(out: Path, files: dict[str, str], spec_digest: str, *, force: bool = False) -> list[str]:
    """Write ``files`` into ``out``; returns the paths removed as stale.

    Raises :class:`OutputError` when ``out`` is a non-empty directory that naftiko-gen
    does not own (no manifest) and ``force`` is false.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory")
    previous = read_manifest(out) if out.exists() else None
    if previous is None and out.exists() and any(out.iterdir()) and not force:
        raise OutputError(
            f"{out} is not empty and was not written by naftiko-gen (no {MANIFEST}); "
            "choose an empty directory or pass --force"
        )
    for relative, text in sorted(files.items()):
        target = _safe_target(out, relative)
        if not (target.exists() and target.read_text("utf-8") == text):
            _atomic_write(target, text)
    removed = []
    for relative in sorted(set(previous or {}) - set(files)):
        target = _safe_target(out, relative)
        if target.is_file():
            target.unlink()
            removed.append(relative)
            _prune_empty_parents(target.parent, out)
    _atomic_write(out / MANIFEST, manifest_text(files, spec_digest))
    return removed


def _prune_empty_parents(folder: Path, out: Path) -> None:
    root = out.resolve()
    folder = folder.resolve()
    while folder != root and root in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


_IGNORED_DIRS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def _tree_files(out: Path) -> list[str]:
    """Every file below ``out`` (POSIX relative paths), caches excluded."""
    found: list[str] = []
    for folder, subfolders, filenames in os.walk(out):
        subfolders[:] = sorted(d for d in subfolders if d not in _IGNORED_DIRS)
        base = Path(folder).relative_to(out)
        found.extend((base / name).as_posix() for name in filenames)
    return found


def compare_tree(out: Path, files: dict[str, str], spec_digest: str) -> Drift:
    """Compare the generated ``files`` (and their manifest) with what ``out`` holds."""
    expected = with_manifest(files, spec_digest)
    changed: list[str] = []
    missing: list[str] = []
    diff: list[str] = []
    for relative, text in sorted(expected.items()):
        target = out / relative
        if not target.is_file():
            missing.append(relative)
            diff.extend(difflib.unified_diff([], text.splitlines(True), "/dev/null", f"b/{relative}"))
            continue
        actual = target.read_text("utf-8", errors="replace")
        if actual != text:
            changed.append(relative)
            diff.extend(
                difflib.unified_diff(
                    actual.splitlines(True), text.splitlines(True), f"a/{relative}", f"b/{relative}"
                )
            )
    extra = sorted(set(_tree_files(out)) - set(expected)) if out.is_dir() else []
    for relative in extra:
        actual = (out / relative).read_text("utf-8", errors="replace")
        diff.extend(difflib.unified_diff(actual.splitlines(True), [], f"a/{relative}", "/dev/null"))
    return Drift(changed, missing, extra, "".join(line if line.endswith("\n") else line + "\n" for line in diff))
