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

import contextlib
import ctypes
import dataclasses
import difflib
import hashlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from . import __version__

MANIFEST = ".naftiko-gen.json"
"""Name of the manifest file in the output directory."""

STAGING_MARKER = ".naftiko-gen-"
"""Staging directories are named ``.<OUT name>.naftiko-gen-<pid>-<random>`` beside OUT."""

_IGNORED_DIRS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
"""Caches that tools create inside a package; never counted as drift."""


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
    """Files listed in the manifest of ``out`` (``None`` when there is no manifest).

    Raises :class:`OutputError` when the manifest exists but is not one naftiko-gen wrote.
    """
    path = out / MANIFEST
    if not os.path.lexists(path):
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        files = data["files"]
        if data.get("generator") != "naftiko-gen" or not isinstance(files, dict):
            raise TypeError
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError, OSError):
        raise OutputError(
            f"{path} is not a naftiko-gen manifest; remove it or use --force"
        ) from None


def _check_relative(relative: str) -> None:
    """Refuse a generated path that is absolute or climbs out of the output directory."""
    parts = PurePosixPath(relative).parts
    if (
        not relative
        or relative.startswith("/")
        or "\\" in relative
        or "\x00" in relative
        or any(part in ("", ".", "..") for part in parts)
        or "/".join(parts) != relative
    ):
        raise OutputError(f"refusing to write {relative!r}: not a plain relative path")


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


def _read_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file (not through a symbolic link), else ``None``."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return path.read_bytes()
    except OSError:
        return None


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (which must not exist) with ``data``, flushed to disk."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=STAGING_MARKER, suffix=".tmp")
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


def _fsync_directory(path: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# --------------------------------------------------------------------------- the swap


class _SwapUnavailable(Exception):
    """The atomic directory swap cannot be used here; fall back to per-file writes."""


def _exchange_function() -> Callable[[Path, Path], None] | None:
    """A function that atomically exchanges two paths on this platform, if there is one."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        renameat2 = libc.renameat2
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        renameat2.argtypes += [ctypes.c_uint]
        renameat2.restype = ctypes.c_int
        at_fdcwd, rename_exchange = -100, 2

        def exchange_linux(first: Path, second: Path) -> None:
            old, new = os.fsencode(first), os.fsencode(second)
            if renameat2(at_fdcwd, old, at_fdcwd, new, rename_exchange) != 0:
                number = ctypes.get_errno()
                raise OSError(number, os.strerror(number), str(second))

        return exchange_linux
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        renamex_np = libc.renamex_np
        renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        renamex_np.restype = ctypes.c_int
        rename_swap = 0x2

        def exchange_darwin(first: Path, second: Path) -> None:
            if renamex_np(os.fsencode(first), os.fsencode(second), rename_swap) != 0:
                number = ctypes.get_errno()
                raise OSError(number, os.strerror(number), str(second))

        return exchange_darwin
    return None


def _entries(root: Path, relative: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every entry below ``root`` (POSIX relative path, entry), parents before children,
    sorted, without following symbolic links."""
    with os.scandir(root / relative if relative else root) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        path = f"{relative}/{entry.name}" if relative else entry.name
        yield path, entry
        if entry.is_dir(follow_symlinks=False):
            yield from _entries(root, path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _staging_dirs(real_out: Path) -> list[Path]:
    """Staging directories beside ``real_out`` left by builds that were killed."""
    prefix = f".{real_out.name}{STAGING_MARKER}"
    found = []
    try:
        candidates = sorted(real_out.parent.iterdir())
    except OSError:
        return []
    for candidate in candidates:
        if not candidate.name.startswith(prefix) or candidate.is_symlink():
            continue
        pid_text = candidate.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        if candidate.is_dir() and not _pid_alive(int(pid_text)):
            found.append(candidate)
    return found


def _same_file(first: os.stat_result, second: Path) -> bool:
    try:
        other = os.lstat(second)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (other.st_dev, other.st_ino)


def _dismantle(old: Path, live: Path, owned: set[str], discard: set[str]) -> list[str]:
    """Remove the tree ``old`` that was swapped out of ``live``, losing nothing.

    An entry goes when ``live`` holds the very same file (a hard link), when naftiko-gen
    owned it (``owned``), or when it is in ``discard`` (a file ``--force`` overwrote). Any
    other file (one created while the build ran) is moved back into ``live``, or left where
    it is when ``live`` has something at that path. Returns the paths left behind.
    """
    left: list[str] = []
    entries = list(_entries(old))
    for relative, entry in reversed(entries):  # children before their directories
        path = old / relative
        if entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                path.rmdir()
            continue
        info = entry.stat(follow_symlinks=False)
        if _same_file(info, live / relative) or relative in owned or relative in discard:
            path.unlink()
            continue
        target = live / relative
        try:
            if os.path.lexists(target):
                raise FileExistsError(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(path, target)
        except OSError:
            left.append(relative)
    if not left:
        with contextlib.suppress(OSError):
            old.rmdir()
    return left


def _sweep(real_out: Path) -> None:
    """Remove what killed builds left beside ``real_out`` (their own files only)."""
    for leftover in _staging_dirs(real_out):
        try:
            owned = set(read_manifest(leftover) or {}) | {MANIFEST}
        except OutputError:  # killed while writing its manifest, before any other file
            owned = {MANIFEST}
        with contextlib.suppress(OSError):
            _dismantle(leftover, real_out, owned, set())


def _swap_write(
    real_out: Path,
    expected: dict[str, str],
    owned: set[str],
    overwrite: set[str],
    exchange: Callable[[Path, Path], None] | None,
) -> list[str]:
    """Assemble the new tree beside ``real_out`` and swap it in (or rename it into place when
    there is no tree yet); returns the paths left behind."""
    if exchange is None and os.path.lexists(real_out):
        raise _SwapUnavailable("no atomic exchange on this platform")
    generated_dirs = {str(PurePosixPath(p).parent) for p in expected} - {"."}
    for directory in list(generated_dirs):
        generated_dirs.update(str(parent) for parent in PurePosixPath(directory).parents)
    generated_dirs.discard(".")
    try:
        staging = Path(
            tempfile.mkdtemp(
                prefix=f".{real_out.name}{STAGING_MARKER}{os.getpid()}-", dir=real_out.parent
            )
        )
    except OSError as error:
        raise _SwapUnavailable(str(error)) from None
    swapped = False
    try:
        exists = os.path.lexists(real_out)
        directory_mode = stat.S_IMODE(os.stat(real_out).st_mode) if exists else 0o777 & ~_umask()
        os.chmod(staging, directory_mode)
        mode = _file_mode()
        # The manifest first, so that a leftover staging directory names its own files.
        ordered = [MANIFEST] + sorted(p for p in expected if p != MANIFEST)
        for relative in ordered:
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            data = expected[relative].encode("utf-8")
            current = real_out / relative
            if exists and _read_bytes(current) == data:
                try:
                    os.link(current, target, follow_symlinks=False)
                    continue
                except OSError:
                    pass
            _write_new(target, data, mode)
        if exists:
            for relative, entry in _entries(real_out):
                if relative == MANIFEST or relative in expected:
                    continue
                if any(str(parent) in expected for parent in PurePosixPath(relative).parents):
                    continue  # below a path a generated file takes (never happens: refused)
                is_dir = entry.is_dir(follow_symlinks=False)
                if relative in owned and not is_dir:
                    continue  # stale: a file naftiko-gen wrote and no longer generates
                if relative in generated_dirs and not is_dir:
                    continue  # a file where a generated directory goes (--force)
                target = staging / relative
                if is_dir:
                    target.mkdir(exist_ok=True)
                    os.chmod(target, stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))
                    continue
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(entry.path, target, follow_symlinks=False)
                except OSError as error:
                    raise _SwapUnavailable(f"cannot link {relative}: {error}") from None
            _prune_stale_dirs(staging, real_out, owned)
        for folder, _, _ in os.walk(staging):
            _fsync_directory(Path(folder))
        if exists:
            assert exchange is not None
            try:
                exchange(staging, real_out)
            except OSError as error:
                raise _SwapUnavailable(str(error)) from None
        else:
            os.rename(staging, real_out)
        swapped = True
        _fsync_directory(real_out.parent)
    finally:
        if not swapped:
            _remove_staging(staging)
    if not exists:
        return []
    return _dismantle(staging, real_out, owned | {MANIFEST}, overwrite)


def _prune_stale_dirs(staging: Path, real_out: Path, owned: set[str]) -> None:
    """Drop directories that held nothing but stale generated files (deepest first)."""
    owned_dirs: set[str] = set()
    for relative in owned:
        owned_dirs.update(str(parent) for parent in PurePosixPath(relative).parents)
    for relative in sorted(owned_dirs - {"."}, key=lambda p: -p.count("/")):
        folder = staging / relative
        with contextlib.suppress(OSError):
            emptied = folder.is_dir() and not any(folder.iterdir())
            if emptied and any((real_out / relative).iterdir()):
                folder.rmdir()


def _remove_staging(staging: Path) -> None:
    """Remove a staging directory that was never swapped in (our files and hard links)."""
    for relative, entry in reversed(list(_entries(staging))):
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                (staging / relative).rmdir()
            else:
                (staging / relative).unlink()
    with contextlib.suppress(OSError):
        staging.rmdir()


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# --------------------------------------------------------------------------- write_tree


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
        _check_relative(relative)
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory")
    try:
        return _write_tree(out, expected, force)
    except OSError as error:
        raise OutputError(f"cannot write {out}: {error.strerror or error}") from None


def _write_tree(out: Path, expected: dict[str, str], force: bool) -> WriteReport:
    real_out = out.resolve() if out.exists() else Path(os.path.abspath(out))
    _sweep(real_out)
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
        if _read_bytes(real_out / relative) != text.encode("utf-8")
    ]
    if not stale and not changed:
        return WriteReport([], [], [])  # up to date: touch nothing
    real_out.parent.mkdir(parents=True, exist_ok=True)
    try:
        left = _swap_write(real_out, expected, owned, set(foreign), _exchange_function())
    except _SwapUnavailable:
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
            if _read_bytes(target) != text.encode("utf-8"):
                found.append(relative)
    return sorted(set(found))


def _write_in_place(real_out: Path, expected: dict[str, str], owned: set[str]) -> None:
    """The fallback: every file replaced atomically, stale files removed, manifest last."""
    for relative, text in sorted(expected.items()):
        if relative == MANIFEST:
            continue
        target = _safe_target(real_out, relative)
        if _read_bytes(target) != text.encode("utf-8"):
            _atomic_write(target, text)
    for relative in sorted(owned - set(expected)):
        target = _safe_target(real_out, relative)
        if target.is_file():
            target.unlink()
            _prune_empty_parents(target.parent, real_out)
    _atomic_write(real_out / MANIFEST, expected[MANIFEST])


def _prune_empty_parents(folder: Path, out: Path) -> None:
    root = out.resolve()
    folder = folder.resolve()
    while folder != root and root in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


# --------------------------------------------------------------------------- compare_tree


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
