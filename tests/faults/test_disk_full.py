"""Disk full and busy (vault-security.md §6 rows 3–4): at the file layer and inside SQLite.

* "ENOSPC after B bytes": the disk fills up part-way through a ~5 MiB evidence file
  (or a batch). The add fails with "disk full…", nothing is half-ingested, no temp file
  stays, the space is given back, and the next add works once space is freed.
* SQLite's own "database or disk is full" (``PRAGMA max_page_count`` just above the
  current size) and "database is locked" (a second connection holding the write lock).
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockaudit.errors import DiskFullError, InputError, MockauditError
from mockaudit.session import Session
from mockaudit.vault import db, keyfile
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.faults.faulty_ops import FaultyOps, installed
from tests.verifier import assert_vault_sound

MIB = 1024 * 1024


@pytest.fixture
def vault(scratch: Path) -> tuple[Path, dict[str, str]]:
    """A closed vault with three acknowledged items."""
    folder = scratch / "vault"
    rng = random.Random(5)
    files = []
    for i, size in enumerate([100, 70_000, 3000]):
        path = scratch / f"prior-{i}.bin"
        path.write_bytes(rng.randbytes(size))
        files.append(path)
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF) as s:
        acked = {r.evidence_id: r.sha256 for r in s.add_evidence(files)}
    return folder, acked


def _blob_sizes(session: Session) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in session.vault.blobs.root.rglob("*") if p.is_file()}


def _assert_one_line(exc: MockauditError) -> None:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text, text


# ----- ENOSPC after B bytes (the file layer) -----


@pytest.mark.parametrize(
    "limit",
    [0, 30, 58 + 100, MIB - 1, MIB, 2 * MIB + 12_345, 5 * MIB - 1],
    ids=lambda b: f"B={b}",
)
def test_disk_full_mid_file_keeps_nothing_and_the_next_add_works(
    vault: tuple[Path, dict[str, str]], scratch: Path, limit: int
) -> None:
    folder, acked = vault
    big = scratch / "large-export.bin"
    big.write_bytes(os.urandom(5 * MIB))
    with Session.open(folder, PASSPHRASE) as s:
        before = _blob_sizes(s)
        ops = FaultyOps(enospc_after=limit)
        with installed(ops), pytest.raises(DiskFullError) as caught:
            s.add_evidence([big])
        assert ops.tripped and ops.bytes_written == limit  # it really filled up mid-file
        _assert_one_line(caught.value)
        assert caught.value.message.startswith("disk full")
        # Right away, before any sweep: no row, no temp file, the space given back.
        assert {i.evidence_id: i.sha256 for i in s.list_evidence()} == acked
        after = _blob_sizes(s)
        assert after == before, "a partial blob or temp file was left in blobs/"
        assert s.verify(full=True).ok
        ops.clear()  # space was freed
        with installed(ops):
            [added] = s.add_evidence([big])
    assert_vault_sound(folder, PASSPHRASE, {**acked, added.evidence_id: added.sha256}, exact=True)


def test_disk_full_part_way_through_a_batch_removes_the_whole_batch(
    vault: tuple[Path, dict[str, str]], scratch: Path
) -> None:
    folder, acked = vault
    rng = random.Random(9)
    batch = []
    for i in range(12):
        path = scratch / f"batch-{i}.bin"
        path.write_bytes(rng.randbytes(400_000))
        batch.append(path)
    with Session.open(folder, PASSPHRASE) as s:
        before = _blob_sizes(s)
        with installed(FaultyOps(enospc_after=7 * 400_000 + 5000)) as ops:
            with pytest.raises(DiskFullError):
                s.add_evidence(batch)
        assert ops.by_kind["replace"] >= 6  # earlier files of the batch were already durable
        assert _blob_sizes(s) == before, "blobs of the failed batch were not reclaimed"
        assert {i.evidence_id: i.sha256 for i in s.list_evidence()} == acked
        results = s.add_evidence(batch)
    acked |= {r.evidence_id: r.sha256 for r in results}
    assert_vault_sound(folder, PASSPHRASE, acked, exact=True)


# ----- SQLite's own limits -----


def test_database_full_during_a_large_batch_is_a_clean_disk_full_error(
    vault: tuple[Path, dict[str, str]], scratch: Path
) -> None:
    folder, acked = vault
    files = []
    for i in range(300):
        path = scratch / f"row-{i:03d}.csv"
        path.write_text(f"id,value\n{i},{'x' * 40}\n")
        files.append(path)
    with Session.open(folder, PASSPHRASE) as s:
        conn = s.vault.conn
        before = _blob_sizes(s)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(DiskFullError) as caught:
            s.add_evidence(files, control="CHG-01")
        _assert_one_line(caught.value)
        assert caught.value.message.startswith("disk full")
        assert not conn.in_transaction, "the failed batch left a transaction open"
        assert {i.evidence_id: i.sha256 for i in s.list_evidence()} == acked
        assert _blob_sizes(s) == before, "blobs of the refused batch were left behind"
        assert s.verify(full=True).ok
        conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        results = s.add_evidence(files, control="CHG-01")
    assert len(results) == 300
    acked |= {r.evidence_id: r.sha256 for r in results}
    assert_vault_sound(folder, PASSPHRASE, acked, exact=True)


def test_busy_vault_is_a_clean_error_and_the_next_add_works(
    vault: tuple[Path, dict[str, str]], scratch: Path
) -> None:
    folder, acked = vault
    new = scratch / "new.txt"
    new.write_text("added while someone else held the database")
    vmk = keyfile.unwrap_vmk(keyfile.read_header(folder), PASSPHRASE)
    with Session.open(folder, PASSPHRASE) as s:
        before = _blob_sizes(s)
        s.vault.conn.execute("PRAGMA busy_timeout = 50")
        other = db.connect(folder / db.DB_FILE, keyfile.subkey(vmk, "sqlcipher"))
        try:
            other.execute("BEGIN IMMEDIATE")  # a second writer holds the write lock
            with pytest.raises(InputError, match="busy") as caught:
                s.add_evidence([new])
            _assert_one_line(caught.value)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert not s.vault.conn.in_transaction
        assert {i.evidence_id: i.sha256 for i in s.list_evidence()} == acked
        assert _blob_sizes(s) == before, "the refused file's blob was left behind"
        [added] = s.add_evidence([new])
    assert_vault_sound(folder, PASSPHRASE, {**acked, added.evidence_id: added.sha256}, exact=True)


# session.translated maps every DatabaseError other than "full"/"busy" to IntegrityError
# "vault.db is damaged … restore vault.db from your backup", so an I/O error while writing
# (the vault is fine, a retry works) tells the user to restore a backup. Patch in the report.
def test_io_error_while_sqlite_commits_is_not_reported_as_damage(
    vault: tuple[Path, dict[str, str]], scratch: Path
) -> None:
    """The WAL write at COMMIT fails (file-size limit → EFBIG → SQLITE_IOERR)."""
    folder, acked = vault
    files = []
    for i in range(300):
        path = scratch / f"row-{i:03d}.csv"
        path.write_text(f"id,value\n{i},{'y' * 40}\n")
        files.append(path)
    with Session.open(folder, PASSPHRASE) as s:
        before = _blob_sizes(s)
        with _file_size_limit(64 * 1024), pytest.raises(MockauditError) as caught:
            s.add_evidence(files)
        _assert_one_line(caught.value)
        assert not s.vault.conn.in_transaction
        assert {i.evidence_id: i.sha256 for i in s.list_evidence()} == acked
        assert _blob_sizes(s) == before
        assert s.verify(full=True).ok
        results = s.add_evidence(files)
    acked |= {r.evidence_id: r.sha256 for r in results}
    assert_vault_sound(folder, PASSPHRASE, acked, exact=True)
    assert "damaged" not in caught.value.message and "restore" not in caught.value.message, (
        caught.value.message
    )


@contextlib.contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    """RLIMIT_FSIZE for this process: writes past ``limit`` fail with EFBIG (SIGXFSZ ignored)."""
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old_limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
