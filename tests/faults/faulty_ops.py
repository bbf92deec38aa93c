"""A fault-injecting ``FileOps``: SQLite's ``do_faultsim_test`` applied to mockaudit's own I/O.

Every project write goes through ``fsio.ops()``. ``FaultyOps`` counts the calls
(open_new, write, fsync, replace, link, mkdir, unlink, fsync_dir) and makes the Nth one
fail with an errno, either *transiently* (that call only) or *persistently* (that
call and every later one, as a dying disk does), optionally counting only one op
kind. A separate mode simulates a disk that fills up after B bytes were written:
the write that crosses the limit writes what still fits, then fails with ENOSPC,
and so does every later write until the faults are cleared.

Use ``injected(...)`` to install it for a block; the real ops come back afterwards
even if the block raises.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mockaudit import fsio

OPS = ("open_new", "write", "fsync", "replace", "link", "mkdir", "unlink", "fsync_dir")


class FaultyOps(fsio.FileOps):
    """Counts file operations and fails the ``fail_at``-th one (1-based) with ``err``.

    ``only`` restricts both counting and failing to one op kind. With ``fail_at=None``
    and ``enospc_after=None`` it only counts (the clean run that gives N_total).
    ``partial_write``: a failing ``write`` first writes half its data, as a real short
    write before an error does, so the temp file really holds garbage to clean up.
    ``wrap_files``: files from ``open_new`` count (and fail) their own ``write`` calls too,
    for writers such as ``zipfile`` that write to the handle rather than through the seam.
    """

    def __init__(
        self,
        fail_at: int | None = None,
        err: int = errno.EIO,
        *,
        persistent: bool = False,
        only: str | None = None,
        enospc_after: int | None = None,
        partial_write: bool = True,
        wrap_files: bool = False,
    ) -> None:
        if only is not None and only not in OPS:
            raise ValueError(f"unknown op kind {only!r}")
        self.fail_at = fail_at
        self.err = err
        self.persistent = persistent
        self.only = only
        self.enospc_after = enospc_after
        self.partial_write = partial_write
        self.wrap_files = wrap_files
        self.calls = 0
        self.by_kind: Counter[str] = Counter()
        self.log: list[str] = []
        self.failed: list[tuple[int, str]] = []  # (call number, op kind) of each failure
        self.bytes_written = 0
        self.active = True

    @property
    def injected(self) -> int:
        """How many calls were made to fail."""
        return len(self.failed)

    @property
    def tripped(self) -> bool:
        return bool(self.failed)

    def clear(self) -> None:
        """The fault clears (space freed, disk back): later calls go through."""
        self.active = False

    def _should_fail(self, kind: str) -> bool:
        if self.only is not None and kind != self.only:
            return False
        self.calls += 1
        self.by_kind[kind] += 1
        self.log.append(kind)
        if not self.active or self.fail_at is None:
            return False
        return self.calls == self.fail_at or (self.persistent and self.calls > self.fail_at)

    def _raise(self, kind: str, err: int, path: Path | None = None) -> None:
        self.failed.append((self.calls, kind))
        raise OSError(err, os.strerror(err), None if path is None else str(path))

    def _gate(self, kind: str, path: Path | None = None) -> None:
        if self._should_fail(kind):
            self._raise(kind, self.err, path)

    # ----- the seam -----

    def open_new(self, path: Path, *, nofollow: bool = True) -> BinaryIO:
        self._gate("open_new", path)
        fh = super().open_new(path, nofollow=nofollow)
        return _Counted(fh, self) if self.wrap_files else fh

    def write(self, fh: BinaryIO, data: bytes | memoryview) -> None:
        if isinstance(fh, _Counted):
            fh = fh.raw
        view = memoryview(data)
        if self._should_fail("write"):
            if self.partial_write and len(view) > 1:
                self._real_write(fh, view[: len(view) // 2])
            self._raise("write", self.err)
        if self.active and self.enospc_after is not None:
            room = self.enospc_after - self.bytes_written
            if len(view) > room:
                if room > 0:
                    self._real_write(fh, view[:room])
                self._raise("write", errno.ENOSPC)
        self._real_write(fh, view)

    def _real_write(self, fh: BinaryIO, view: memoryview) -> None:
        super().write(fh, view)
        self.bytes_written += len(view)

    def fsync(self, fh: BinaryIO) -> None:
        self._gate("fsync")
        super().fsync(fh.raw if isinstance(fh, _Counted) else fh)

    def replace(self, src: Path, dst: Path) -> None:
        self._gate("replace", dst)
        super().replace(src, dst)

    def link(self, src: Path, dst: Path) -> None:
        self._gate("link", dst)
        super().link(src, dst)

    def mkdir(self, path: Path) -> None:
        self._gate("mkdir", path)
        super().mkdir(path)

    def unlink(self, path: Path) -> None:
        self._gate("unlink", path)
        super().unlink(path)

    def fsync_dir(self, path: Path) -> None:
        self._gate("fsync_dir", path)
        super().fsync_dir(path)


class _Counted:
    """A file from ``open_new`` whose direct ``write`` calls go through the fault layer."""

    def __init__(self, raw: BinaryIO, ops: FaultyOps) -> None:
        self.raw = raw
        self._ops = ops

    def write(self, data: bytes | memoryview) -> int:
        self._ops.write(self.raw, data)
        return memoryview(data).nbytes

    def __getattr__(self, name: str) -> object:
        return getattr(self.raw, name)

    def __enter__(self) -> _Counted:
        return self

    def __exit__(self, *exc: object) -> None:
        self.raw.close()


@contextlib.contextmanager
def installed(ops: FaultyOps) -> Iterator[FaultyOps]:
    """Install ``ops`` as the project's FileOps for the block; always restore the real ones."""
    previous = fsio.set_ops(ops)
    try:
        yield ops
    finally:
        fsio.set_ops(previous)


def injected(
    fail_at: int | None = None,
    err: int = errno.EIO,
    *,
    persistent: bool = False,
    only: str | None = None,
    enospc_after: int | None = None,
) -> contextlib.AbstractContextManager[FaultyOps]:
    """``with injected(7, errno.ENOSPC, persistent=True) as ops: ...``"""
    return installed(
        FaultyOps(fail_at, err, persistent=persistent, only=only, enospc_after=enospc_after)
    )
