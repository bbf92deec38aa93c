"""Evidence ingestion in batches: every blob durable before one commit records them all.

Per file: encrypt+hash in one streaming pass into ``*.partial``; if the content is
already stored (or earlier in this batch) the temp file is dropped and only a
custody event is recorded; otherwise fsync + rename. Per batch: fsync each shard
folder once, then one transaction inserts the rows, links and custody events.
An acknowledged batch therefore never points at a blob that is not on disk, and
a crash before the commit leaves only orphans the next open sweeps away.
"""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from mockaudit import fsio
from mockaudit.domain.evidence import Link
from mockaudit.vault import custody, db
from mockaudit.vault.blobstore import PendingBlob

if TYPE_CHECKING:
    from mockaudit.vault.store import Vault

BATCH_FILES = 1024
BATCH_BYTES = 64 * 1024 * 1024
Progress = Callable[[int], None]


@dataclass(frozen=True)
class AddResult:
    evidence_id: str
    deduplicated: bool
    size: int
    sha256: str


@dataclass(frozen=True)
class Incoming:
    """One file to store: how to open it, what it was called, where it belongs."""

    opener: Callable[[], AbstractContextManager[BinaryIO]]
    name: str
    link: Link | None = None
    source: str = "file"
    event: str = "collected"
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def file(
        cls,
        path: Path,
        *,
        link: Link | None = None,
        source: str = "file",
        event: str = "collected",
        name: str | None = None,
    ) -> Incoming:
        return cls(lambda: open(path, "rb"), name or path.name, link, source, event)


@dataclass
class _Staged:
    item: Incoming
    pending: PendingBlob
    dek: bytes
    duplicate_of: str | None  # an evidence id already stored, or a sha256 earlier in the batch


def add_all(vault: Vault, items: Iterable[Incoming], progress: Progress | None) -> list[AddResult]:
    results: list[AddResult] = []
    batch: list[_Staged] = []
    seen: dict[str, _Staged] = {}  # sha256 → first staged item in this batch
    batch_bytes = 0
    done = 0
    for item in items:
        base = done

        def tick(n: int, base: int = base) -> None:
            if progress:
                progress(base + n)

        staged = _stage(vault, item, batch, seen, tick)
        batch.append(staged)
        seen.setdefault(staged.pending.digest.sha256, staged)
        done += staged.pending.digest.size
        batch_bytes += staged.pending.digest.size
        if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
            results += _commit(vault, batch)
            batch, batch_bytes = [], 0
            seen.clear()
    if batch:
        results += _commit(vault, batch)
    return results


def _stage(
    vault: Vault, item: Incoming, batch: list[_Staged], seen: dict[str, _Staged], tick: Progress
) -> _Staged:
    dek = secrets.token_bytes(32)
    try:
        with item.opener() as fh:
            pending = vault.blobs.write(fh, dek, progress=tick)
    except BaseException:
        _abandon(vault, batch)
        raise
    sha = pending.digest.sha256
    row = vault.conn.execute("SELECT evidence_id FROM evidence WHERE sha256 = ?", (sha,)).fetchone()
    earlier = seen.get(sha)
    if row is not None or earlier is not None:
        vault.blobs.discard(pending)
        return _Staged(item, pending, dek, row[0] if row is not None else sha)
    try:
        vault.blobs.commit(pending, sync_dir=False)
    except BaseException:
        _abandon(vault, batch)
        raise
    if vault.fresh_blobs is not None:
        vault.fresh_blobs.add(pending.blob_file)
    return _Staged(item, pending, dek, None)


def _commit(vault: Vault, batch: list[_Staged]) -> list[AddResult]:
    try:
        for folder in sorted({s.pending.final.parent for s in batch if s.duplicate_of is None}):
            fsio.ops().fsync_dir(folder)
        with db.atomic(vault.conn):
            return _record(vault, batch)
    except BaseException:
        _abandon(vault, batch)
        raise


def _record(vault: Vault, batch: list[_Staged]) -> list[AddResult]:
    count = vault.conn.execute("SELECT count(*) FROM evidence").fetchone()[0]
    by_sha: dict[str, str] = {}
    results = []
    for staged in batch:
        digest = staged.pending.digest
        dup = staged.duplicate_of
        if dup is None:
            count += 1
            evidence_id = f"EV-{count:06d}"
            _insert(vault, evidence_id, staged)
            by_sha[digest.sha256] = evidence_id
        else:
            evidence_id = by_sha.get(dup, dup)
            _record_again(vault, evidence_id, staged)
        results.append(AddResult(evidence_id, dup is not None, digest.size, digest.sha256))
    return results


def _insert(vault: Vault, evidence_id: str, staged: _Staged) -> None:
    item, pending = staged.item, staged.pending
    media = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
    stamp = custody.now_utc().isoformat(timespec="seconds")
    vault.conn.execute(
        "INSERT INTO evidence (evidence_id, blob_file, sha256, size, wrapped_dek, "
        "original_name, media_type, source, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            evidence_id,
            pending.blob_file,
            pending.digest.sha256,
            pending.digest.size,
            vault.wrap_dek(pending.blob_file, staged.dek),
            item.name,
            media,
            item.source,
            stamp,
        ),
    )
    vault.link(evidence_id, item.link)
    custody.append(
        vault.conn,
        item.event,
        evidence_id=evidence_id,
        sha256=pending.digest.sha256,
        size=pending.digest.size,
        original_name=item.name,
        media_type=media,
        source=item.source,
        link=item.link.as_dict() if item.link else {},
        **item.extra,
    )


def _record_again(vault: Vault, evidence_id: str, staged: _Staged) -> None:
    item, digest = staged.item, staged.pending.digest
    vault.link(evidence_id, item.link)
    custody.append(
        vault.conn,
        item.event,
        evidence_id=evidence_id,
        sha256=digest.sha256,
        size=digest.size,
        original_name=item.name,
        source=item.source,
        link=item.link.as_dict() if item.link else {},
        duplicate_of_stored=True,
        **item.extra,
    )


def _abandon(vault: Vault, batch: list[_Staged]) -> None:
    """Remove the blobs of a batch whose rows will never commit (never acknowledged)."""
    for staged in batch:
        if staged.duplicate_of is None:
            vault.blobs.remove(staged.pending.blob_file)
