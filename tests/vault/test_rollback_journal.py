"""A population import is written once, in place (vault/rollback_journal.py).

Under the WAL every page of a large import was written twice (the WAL, then the
checkpoint). The import now runs under a rollback journal with ``synchronous = EXTRA``
when the vault is its connection's alone, and the vault is back in WAL with FULL sync
afterwards, whether the import succeeded or failed. With another connection open it
stays in WAL; a reader arriving while the import holds the file is told the vault is busy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockaudit.errors import InputError, VaultInUseError
from mockaudit.session import Session
from mockaudit.vault import db, population_store
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.vault.test_population_feed import _rows, _scenario

EXTRA, FULL = 3, 2


def _modes(session: Session) -> tuple[str, int]:
    conn = session.vault.conn
    return conn.execute("PRAGMA journal_mode").fetchone()[0], conn.execute(
        "PRAGMA synchronous"
    ).fetchone()[0]


def _pages(session: Session) -> int:
    return int(session.vault.conn.execute("PRAGMA page_count").fetchone()[0])


def _watching(session: Session, seen: list[tuple[str, int]]) -> Callable[[str, int, int], None]:
    def progress(stage: str, done: int, total: int) -> None:
        if stage.startswith("rows "):
            seen.append(_modes(session))

    return progress


def test_an_import_writes_its_rows_once_and_leaves_the_vault_in_wal(tmp_path: Path) -> None:
    folder = _scenario(tmp_path / "s", _rows(30_000))
    vault = tmp_path / "v"
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as s:
        seen: list[tuple[str, int]] = []
        before = _pages(s)
        s.import_scenario(folder, progress=_watching(s, seen))
        assert seen and set(seen) == {("delete", EXTRA)}  # the rows: rollback journal, EXTRA
        assert _modes(s) == ("wal", FULL)
        wal = vault / "vault.db-wal"
        wal_bytes = wal.stat().st_size if wal.exists() else 0
        # The import's pages went to vault.db only: the WAL holds none of them.
        assert _pages(s) - before > 200 and wal_bytes < 20 * 4096
        assert not (vault / "vault.db-journal").exists()
    with Session.open(vault, PASSPHRASE, write=False) as s:
        assert [t.row_count for t in s.populations()] == [30_000]
        assert s.verify(full=True).ok


def test_with_a_reader_open_the_import_stays_in_wal(tmp_path: Path) -> None:
    folder = _scenario(tmp_path / "s", _rows(5_000))
    vault = tmp_path / "v"
    Session.create(vault, PASSPHRASE, kdf=FAST_KDF).close()
    with (
        Session.open(vault, PASSPHRASE, write=False) as reader,
        Session.open(vault, PASSPHRASE) as writer,
    ):
        seen: list[tuple[str, int]] = []
        writer.import_scenario(folder, progress=_watching(writer, seen))
        assert set(seen) == {("wal", FULL)}
        assert [t.row_count for t in reader.populations()] == [5_000]


def test_a_failed_import_leaves_the_vault_as_it_was_and_in_wal(tmp_path: Path) -> None:
    folder = _scenario(tmp_path / "s", _rows(12_000) + "PR-x,dev1\n")  # bad last row
    vault = tmp_path / "v"
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as s:
        with pytest.raises(InputError, match="line 12002"):
            s.import_scenario(folder)
        assert _modes(s) == ("wal", FULL)
        assert s.populations() == []
        assert not (vault / "vault.db-journal").exists()


def test_a_reader_arriving_while_the_import_holds_the_file_is_told_it_is_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 100)
    # A small cache makes the import spill pages early, which takes the file's lock.
    monkeypatch.setattr(population_store, "IMPORT_CACHE_KIB", 256)
    folder = _scenario(tmp_path / "s", _rows(30_000))
    vault = tmp_path / "v"
    refused: list[str] = []

    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as s:

        def progress(stage: str, done: int, total: int) -> None:
            if stage.startswith("rows ") and done >= 20_000 and not refused:
                with pytest.raises(VaultInUseError) as caught:
                    Session.open(vault, PASSPHRASE, write=False)
                refused.append(caught.value.message)

        s.import_scenario(folder, progress=progress)
    assert refused == [
        "the vault is busy: another process is writing to it (an import holds it until it "
        "commits); retry when it has finished"
    ]
    with Session.open(vault, PASSPHRASE, write=False) as reader:  # and reads once it is done
        assert [t.row_count for t in reader.populations()] == [30_000]
