"""The file-system side of writing an output tree: safe targets, atomic file writes, and the
directory swap (``renameat2(RENAME_EXCHANGE)`` on Linux, ``renamex_np(RENAME_SWAP)`` on macOS)
that replaces a whole tree at once; :mod:`naftiko_codegen.output` decides what to write."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath


def check_relative(relative: str) -> None:
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


def safe_target(out: Path, relative: str) -> Path:
    target = (out / relative).resolve()
    root = out.resolve()
    if root != target and root not in target.parents:
        raise OutputError(f"refusing to touch {relative!r}: it is outside {out}")
    return target


def file_mode() -> int:
    """The permissions an ordinary new file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def read_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file (not through a symbolic link), else ``None``."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return path.read_bytes()
    except OSError:
        return None


def write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (which must not exist) with ``data``, flushed to disk."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=STAGING_MARKER, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, file_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fsync_directory(path: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


MANIFEST = ".naftiko-gen.json"
"""Name of the manifest file in the output directory."""


STAGING_MARKER = ".naftiko-gen-"
"""Staging directories are named ``.<OUT name>.naftiko-gen-<pid>-<random>`` beside OUT."""


class OutputError(Exception):
    """The output directory cannot be written as asked (message says why)."""


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


class SwapUnavailable(Exception):
    """The atomic directory swap cannot be used here; fall back to per-file writes."""


def exchange_function() -> Callable[[Path, Path], None] | None:
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


def walk_entries(root: Path, relative: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every entry below ``root`` (POSIX relative path, entry), parents before children,
    sorted, without following symbolic links."""
    with os.scandir(root / relative if relative else root) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        path = f"{relative}/{entry.name}" if relative else entry.name
        yield path, entry
        if entry.is_dir(follow_symlinks=False):
            yield from walk_entries(root, path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def staging_dirs(real_out: Path) -> list[Path]:
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
        if candidate.is_dir() and not pid_alive(int(pid_text)):
            found.append(candidate)
    return found


def same_file(first: os.stat_result, second: Path) -> bool:
    try:
        other = os.lstat(second)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (other.st_dev, other.st_ino)


def dismantle(old: Path, live: Path, owned: set[str], discard: set[str]) -> list[str]:
    """Remove the tree ``old`` that was swapped out of ``live``, losing nothing.

    An entry goes when ``live`` holds the very same file (a hard link), when naftiko-gen
    owned it (``owned``), or when it is in ``discard`` (a file ``--force`` overwrote). Any
    other file (one created while the build ran) is moved back into ``live``, or left where
    it is when ``live`` has something at that path. Returns the paths left behind.
    """
    left: list[str] = []
    entries = list(walk_entries(old))
    for relative, entry in reversed(entries):  # children before their directories
        path = old / relative
        if entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                path.rmdir()
            continue
        info = entry.stat(follow_symlinks=False)
        if same_file(info, live / relative) or relative in owned or relative in discard:
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


def sweep(real_out: Path) -> None:
    """Remove what killed builds left beside ``real_out`` (their own files only)."""
    for leftover in staging_dirs(real_out):
        try:
            owned = set(read_manifest(leftover) or {}) | {MANIFEST}
        except OutputError:  # killed while writing its manifest, before any other file
            owned = {MANIFEST}
        with contextlib.suppress(OSError):
            dismantle(leftover, real_out, owned, set())


def swap_write(
    real_out: Path,
    expected: dict[str, str],
    owned: set[str],
    overwrite: set[str],
    exchange: Callable[[Path, Path], None] | None,
) -> list[str]:
    """Assemble the new tree beside ``real_out`` and swap it in (or rename it into place when
    there is no tree yet); returns the paths left behind."""
    if exchange is None and os.path.lexists(real_out):
        raise SwapUnavailable("no atomic exchange on this platform")
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
        raise SwapUnavailable(str(error)) from None
    swapped = False
    try:
        exists = os.path.lexists(real_out)
        directory_mode = stat.S_IMODE(os.stat(real_out).st_mode) if exists else 0o777 & ~umask()
        os.chmod(staging, directory_mode)
        mode = file_mode()
        # The manifest first, so that a leftover staging directory names its own files.
        ordered = [MANIFEST] + sorted(p for p in expected if p != MANIFEST)
        for relative in ordered:
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            data = expected[relative].encode("utf-8")
            current = real_out / relative
            if exists and read_bytes(current) == data:
                try:
                    os.link(current, target, follow_symlinks=False)
                    continue
                except OSError:
                    pass
            write_new(target, data, mode)
        if exists:
            for relative, entry in walk_entries(real_out):
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
                    raise SwapUnavailable(f"cannot link {relative}: {error}") from None
            prune_stale_dirs(staging, real_out, owned)
        for folder, _, _ in os.walk(staging):
            fsync_directory(Path(folder))
        if exists:
            assert exchange is not None
            try:
                exchange(staging, real_out)
            except OSError as error:
                raise SwapUnavailable(str(error)) from None
        else:
            os.rename(staging, real_out)
        swapped = True
        fsync_directory(real_out.parent)
    finally:
        if not swapped:
            remove_staging(staging)
    if not exists:
        return []
    return dismantle(staging, real_out, owned | {MANIFEST}, overwrite)


def prune_stale_dirs(staging: Path, real_out: Path, owned: set[str]) -> None:
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


def remove_staging(staging: Path) -> None:
    """Remove a staging directory that was never swapped in (our files and hard links)."""
    for relative, entry in reversed(list(walk_entries(staging))):
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                (staging / relative).rmdir()
            else:
                (staging / relative).unlink()
    with contextlib.suppress(OSError):
        staging.rmdir()


def umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
