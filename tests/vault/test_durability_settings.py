"""The SQLite settings durability rests on (vault-security.md §1.5): WAL with
``synchronous=FULL`` on every connection, so a commit is on disk when it returns.

In WAL mode, NORMAL may lose the last commits on power loss (the WAL is synced only at
checkpoints); FULL syncs the WAL on every commit. SQLite itself fsyncs the folder when
it creates the ``-wal`` file (journal files are opened with the directory-sync flag), and
the vault folder's other entries are synced by the key-file writes. The power-loss tests
(tests/powerloss) show the effect; this pins the settings so a change is caught anywhere.
A population import runs under a rollback journal with ``synchronous=EXTRA`` and puts
these back (test_rollback_journal.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE


@pytest.mark.parametrize("write", [True, False])
def test_every_connection_is_wal_with_full_sync(tmp_path: Path, write: bool) -> None:
    Session.create(tmp_path / "vault", PASSPHRASE, kdf=FAST_KDF).close()
    with Session.open(tmp_path / "vault", PASSPHRASE, write=write) as s:
        conn = s.vault.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY


def test_a_new_vault_is_wal_from_its_first_commit(tmp_path: Path) -> None:
    with Session.create(tmp_path / "vault", PASSPHRASE, kdf=FAST_KDF) as s:
        assert s.vault.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert (tmp_path / "vault" / "vault.db-wal").exists()
    # Closing checkpoints the WAL into the main file (TRUNCATE): the main file alone is whole.
    wal = tmp_path / "vault" / "vault.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
