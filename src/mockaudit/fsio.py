"""Durable file operations: the one place the project writes files.

Every write path (blobs, the key header, exports, packages) goes through
``FileOps`` so that (1) the durability recipe — temp file, fsync, rename, fsync
the directory — is written once, and (2) tests can swap in a fault-injecting
``FileOps`` that fails the Nth call with EIO/ENOSPC/EACCES.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO

from mockaudit.errors import DiskFullError, InputError, MockauditError


class FileOps:
    """Thin wrappers over the OS calls that write. Subclass to inject faults."""

    def open_new(self, path: Path, *, nofollow: bool = True) -> BinaryIO:
        """Create ``path`` exclusively (never follows or replaces an existing entry)."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        if nofollow:
            flags |= getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags, 0o600)
        return os.fdopen(fd, "wb", buffering=0)

    def write(self, fh: BinaryIO, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            n = fh.write(view)
            if n is None:  # pragma: no cover - only for non-blocking files
                continue
            view = view[n:]

    def fsync(self, fh: BinaryIO) -> None:
        os.fsync(fh.fileno())

    def replace(self, src: Path, dst: Path) -> None:
        os.replace(src, dst)

    def link(self, src: Path, dst: Path) -> None:
        """Hard-link ``src`` as ``dst``; FileExistsError rather than replacing anything."""
        os.link(src, dst, follow_symlinks=False)

    def mkdir(self, path: Path) -> None:
        """``path`` and any missing parents, each 0700 (``parents=True`` alone would make
        the parents from the umask, e.g. 0755)."""
        missing = []
        while not path.exists() and path != path.parent:
            missing.append(path)
            path = path.parent
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)

    def unlink(self, path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def fsync_dir(self, path: Path) -> None:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_ops = FileOps()


def ops() -> FileOps:
    return _ops


def set_ops(new: FileOps) -> FileOps:
    """Install ``new`` (tests only) and return the previous implementation."""
    global _ops
    old, _ops = _ops, new
    return old


def temp_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{secrets.token_hex(6)}.partial")


_TEMP = re.compile(r"\.(.+)\.[0-9a-f]{12}\.partial")


def discard(path: Path) -> None:
    """Remove a temp file after a failure. Its own error is dropped so that the user sees
    the cause; what stays behind (a disk failing for good) is for ``sweep_temps``."""
    with contextlib.suppress(OSError):
        ops().unlink(path)


def sweep_temps(folder: Path, names: Collection[str]) -> None:
    """Remove temp files that earlier failed or killed writes of ``names`` left in ``folder``.

    Only names ``temp_name`` produces for those files (``.NAME.<12 hex>.partial``) are
    touched, so nothing of the user's is ever deleted. It lists ``folder``: call it once
    per batch of writes (the vault root at open, an export folder per export), not per file.
    """
    stale = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            match = _TEMP.fullmatch(entry.name)
            if match and match.group(1) in names:
                stale.append(folder / entry.name)
    for path in stale:
        discard(path)


@contextlib.contextmanager
def atomic_writer(final: Path, *, sync_dir: bool = True) -> Iterator[BinaryIO]:
    """Write ``final`` atomically: temp file → fsync → rename → fsync directory.

    On any exception the temp file is removed and ``final`` is untouched. With
    ``sync_dir=False`` the caller fsyncs the directory itself.
    """
    fo = ops()
    tmp = temp_name(final)
    fh = fo.open_new(tmp)
    try:
        yield fh
        fo.fsync(fh)
        fh.close()
        fo.replace(tmp, final)
    except BaseException:
        fh.close()
        discard(tmp)
        raise
    if sync_dir:
        fo.fsync_dir(final.parent)


def atomic_write_bytes(final: Path, data: bytes) -> None:
    with atomic_writer(final) as fh:
        ops().write(fh, data)


def describe_os_error(exc: OSError, what: str) -> MockauditError:
    """Turn an OSError into a one-line user error naming ``what`` (a path or an action)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(
            f"disk full while {what}; nothing was half-written, free space and retry"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError(f"permission denied while {what}")
    if exc.errno == errno.ENOENT:
        return InputError(f"not found while {what}")
    if exc.errno == errno.EROFS:
        return InputError(f"read-only file system while {what}")
    reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
    return InputError(f"{reason.lower()} while {what}")
