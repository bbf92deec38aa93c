"""Encrypted evidence files under ``blobs/``, one file per blob, named by a random id.

Write order (restic's "packs before index"): encrypt into ``*.partial`` →
fsync → rename → fsync the directory → only then the caller commits the DB row.
A crash leaves at worst a ``*.partial`` (swept on the next writable open) or an
orphan blob whose data key was never committed (undecryptable, swept too). A DB
row whose blob is missing is a *loss* and must never happen.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from mockaudit import fsio
from mockaudit.vault import blob_format
from mockaudit.vault.blob_format import BlobDigest

BLOBS_DIR = "blobs"
PARTIAL_SUFFIX = ".partial"


@dataclass
class PendingBlob:
    """An encrypted blob written to its temp file but not yet made durable."""

    blob_file: str
    temp: Path
    final: Path
    digest: BlobDigest
    handle: BinaryIO | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SweepReport:
    partials_removed: int
    orphans: list[str]


def _write(fh: BinaryIO, data: bytes) -> None:
    fsio.ops().write(fh, data)


class BlobStore:
    def __init__(self, vault_dir: Path) -> None:
        self.root = vault_dir / BLOBS_DIR

    def path(self, blob_file: str) -> Path:
        # 16 shard folders: few enough that a batch fsyncs each folder once.
        return self.root / blob_file[:1] / blob_file

    def write(
        self, src: BinaryIO, dek: bytes, *, progress: Callable[[int], None] | None = None
    ) -> PendingBlob:
        blob_id = secrets.token_bytes(16)
        blob_file = blob_id.hex()
        final = self.path(blob_file)
        fsio.ops().mkdir(final.parent)
        temp = final.with_name(blob_file + PARTIAL_SUFFIX)
        fh = fsio.ops().open_new(temp)
        try:
            digest = blob_format.encrypt_stream(
                src, fh, dek, blob_id, write=_write, progress=progress
            )
        except BaseException:
            fh.close()
            fsio.ops().unlink(temp)
            raise
        return PendingBlob(blob_file, temp, final, digest, fh)

    def commit(self, pending: PendingBlob, *, sync_dir: bool = True) -> None:
        """Make the blob durable under its final name.

        With ``sync_dir=False`` the caller fsyncs the shard folder itself (once per
        batch) before committing any DB row that points at the blob.
        """
        fo = fsio.ops()
        try:
            assert pending.handle is not None
            fo.fsync(pending.handle)
            pending.handle.close()
            pending.handle = None
            fo.replace(pending.temp, pending.final)
        except BaseException:
            self.discard(pending)
            raise
        if sync_dir:
            fo.fsync_dir(pending.final.parent)

    def discard(self, pending: PendingBlob) -> None:
        if pending.handle is not None:
            pending.handle.close()
            pending.handle = None
        fsio.ops().unlink(pending.temp)

    def remove(self, blob_file: str) -> None:
        """Delete a durable blob whose DB row failed to commit (never acknowledged)."""
        fsio.ops().unlink(self.path(blob_file))

    def open(self, blob_file: str) -> BinaryIO:
        return open(self.path(blob_file), "rb")  # noqa: SIM115 - caller closes

    def exists(self, blob_file: str) -> bool:
        return self.path(blob_file).is_file()

    def iter_files(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and not sub.is_symlink():
                yield from sorted(p for p in sub.iterdir() if p.is_file())

    def sweep(self, known: set[str], *, remove: bool) -> SweepReport:
        """Remove crash leftovers: ``*.partial`` files and orphans no DB row references.

        An orphan's data key was never committed, so it cannot be decrypted by
        anyone: removing it loses nothing that was ever acknowledged.
        """
        partials = 0
        orphans: list[str] = []
        for path in self.iter_files():
            if path.name.endswith(PARTIAL_SUFFIX):
                partials += 1
                if remove:
                    fsio.ops().unlink(path)
            elif path.name not in known:
                orphans.append(path.name)
                if remove:
                    fsio.ops().unlink(path)
        return SweepReport(partials, orphans)

    def size_on_disk(self) -> int:
        return sum(os.path.getsize(p) for p in self.iter_files())
