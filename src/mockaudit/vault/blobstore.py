"""Encrypted evidence files under ``blobs/``, one file per blob, named by a random id.

Write order (restic's "packs before index"): encrypt into ``*.partial`` →
fsync → rename → fsync the directory → only then the caller commits the DB row.
A crash leaves at worst a ``*.partial`` (removed on the next writable open) or an
orphan blob no DB row references. Orphans are never deleted automatically: an
orphan may be crash debris whose data key was never committed, but it may equally
be evidence that a restored *older* vault.db does not know yet. The writable open
moves them to ``quarantine/`` (``vault verify`` lists them; ``vault purge-quarantine``
deletes them once the user has decided). A DB row whose blob is missing is a *loss*
and must never happen.
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
QUARANTINE_DIR = "quarantine"
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
    orphans: list[str]  # blob files no row references (quarantined when the sweep acts)


def _write(fh: BinaryIO, data: bytes) -> None:
    fsio.ops().write(fh, data)


class BlobStore:
    def __init__(self, vault_dir: Path) -> None:
        self.root = vault_dir / BLOBS_DIR
        self.quarantine = vault_dir / QUARANTINE_DIR

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

    def sweep(self, known: set[str], *, act: bool) -> SweepReport:
        """Crash leftovers: remove ``*.partial`` files, quarantine orphans (with ``act``).

        A partial was never a whole blob (its write never finished), so removing it
        loses nothing. An orphan is a whole blob no row references: it is moved to
        ``quarantine/``, never deleted, because a restored older vault.db is exactly
        what makes newer, acknowledged evidence look orphaned.
        """
        partials = 0
        orphans: list[str] = []
        for path in self.iter_files():
            if path.name.endswith(PARTIAL_SUFFIX):
                partials += 1
                if act:
                    fsio.ops().unlink(path)
            elif path.name not in known:
                orphans.append(path.name)
                if act:
                    self._quarantine(path)
        return SweepReport(partials, orphans)

    def _quarantine(self, path: Path) -> None:
        fo = fsio.ops()
        fo.mkdir(self.quarantine)
        target = self.quarantine / path.name
        if target.exists():  # the same blob quarantined before (names are random ids)
            target = self.quarantine / f"{path.name}.{secrets.token_hex(4)}"
        fo.replace(path, target)
        fo.fsync_dir(self.quarantine)
        fo.fsync_dir(path.parent)

    def quarantined(self) -> list[Path]:
        """Files in ``quarantine/``, oldest name first."""
        if not self.quarantine.is_dir():
            return []
        return sorted(p for p in self.quarantine.iterdir() if p.is_file() and not p.is_symlink())

    def purge_quarantine(self) -> tuple[int, int]:
        """Delete every quarantined file; (files, bytes) removed."""
        files = self.quarantined()
        total = 0
        for path in files:
            total += path.stat().st_size
            fsio.ops().unlink(path)
        if files:
            fsio.ops().fsync_dir(self.quarantine)
        return len(files), total

    def forget(self, blob_files: set[str], known: set[str]) -> None:
        """Delete blobs this process wrote whose rows were rolled back (never acknowledged)."""
        for blob_file in sorted(blob_files - known):
            fsio.ops().unlink(self.path(blob_file))

    def size_on_disk(self) -> int:
        return sum(os.path.getsize(p) for p in self.iter_files())
