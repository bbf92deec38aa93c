"""Disk full during imports (issue 9 acceptance 2), inside SQLite and at the file layer.

SQLite's own "database or disk is full" comes from ``PRAGMA max_page_count`` set just
above the vault's current size: the evidence blobs of the import still fit, the rows
of a large population do not. The file-layer variant fills the disk part-way through
an evidence file of the scenario (``FaultyOps(enospc_after=B)``). Each time: a clear
"disk full…" error, nothing of the import visible (no evidence row, custody event,
program version or population change), the vault verifies, the blobs written for the
import are gone again (space reclaimed), and the import works once space is freed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mockaudit.errors import DiskFullError, MockauditError
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.faults.faulty_ops import FaultyOps, installed
from tests.faults.program_paths import (
    FIXTURE,
    changed_scenario,
    changes_csv,
    program_state,
)
from tests.verifier import assert_vault_sound

ROWS = 20_000
MIB = 1024 * 1024


@pytest.fixture
def vault(scratch: Path) -> Path:
    """A closed vault holding the fixture program (v1)."""
    folder = scratch / "vault"
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(FIXTURE)
    return folder


def _blob_files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (folder / "blobs").rglob("*") if p.is_file()}


def _assert_disk_full(exc: MockauditError) -> None:
    assert isinstance(exc, DiskFullError), f"{type(exc).__name__}: {exc}"
    assert exc.message.startswith("disk full") and "\n" not in exc.message, exc.message


def _cap_pages(s: Session, extra: int) -> None:
    conn = s.vault.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + extra}")


def _lift_cap(s: Session) -> None:
    s.vault.conn.execute("PRAGMA max_page_count = 1073741823")


def test_database_full_during_a_large_population_import(vault: Path, scratch: Path) -> None:
    big = scratch / "changes-big.csv"
    big.write_bytes(changes_csv(ROWS, "big"))
    before = program_state(vault)
    blobs = _blob_files(vault)
    with Session.open(vault, PASSPHRASE) as s:
        _cap_pages(s, 8)
        with pytest.raises(MockauditError) as caught:
            s.import_population("changes", file=big)
        _assert_disk_full(caught.value)
        assert not s.vault.conn.in_transaction
        assert _blob_files(vault) == blobs, "the source CSV's blob was not reclaimed"
        assert s.verify(full=True).ok
        _lift_cap(s)  # space freed
        done = s.import_population("changes", file=big)
    assert done.rows == ROWS
    assert program_state(vault).populations != before.populations
    assert_vault_sound(vault, PASSPHRASE)


def test_database_full_during_a_scenario_import_keeps_none_of_its_evidence(
    vault: Path, scratch: Path
) -> None:
    """Regression: the evidence of a failed import used to stay (committed before the
    program transaction), with its custody events, and the retry recorded it twice."""
    change = changed_scenario(scratch / "v2", "big", rows=ROWS)
    before = program_state(vault)
    blobs = _blob_files(vault)
    with Session.open(vault, PASSPHRASE) as s:
        _cap_pages(s, 8)
        with pytest.raises(MockauditError) as caught:
            s.import_scenario(change)
        _assert_disk_full(caught.value)
        assert not s.vault.conn.in_transaction
    assert program_state(vault) == before, "a failed import left part of itself visible"
    assert _blob_files(vault) == blobs, "blobs of the failed import were not reclaimed"
    assert_vault_sound(vault, PASSPHRASE)
    with Session.open(vault, PASSPHRASE) as s:
        report = s.import_scenario(change)
    after = program_state(vault)
    assert report.program_version == 2 and len(after.versions) == 2
    imported = after.events[len(before.events) :].count("imported")
    assert imported == report.files_stored, "a file of the retried import was recorded twice"
    assert_vault_sound(vault, PASSPHRASE)


@pytest.mark.parametrize("limit", [0, 100, MIB + 7, 3 * MIB - 1], ids=lambda b: f"B={b}")
def test_disk_full_mid_evidence_file_of_a_scenario_import(
    vault: Path, scratch: Path, limit: int
) -> None:
    change = changed_scenario(scratch / "v2", "large")
    shot = change / "evidence" / "config" / "backup-policy.png"
    shot.write_bytes(bytes(range(256)) * (3 * MIB // 256))
    before = program_state(vault)
    blobs = _blob_files(vault)
    with Session.open(vault, PASSPHRASE) as s:
        ops = FaultyOps(enospc_after=limit)
        with installed(ops), pytest.raises(MockauditError) as caught:
            s.import_scenario(change)
        assert ops.tripped and ops.bytes_written == limit
        _assert_disk_full(caught.value)
        assert _blob_files(vault) == blobs, "a partial blob or temp file was left in blobs/"
        ops.clear()
        with installed(ops):
            s.import_scenario(change)
    assert program_state(vault) != before
    assert_vault_sound(vault, PASSPHRASE)


def test_failed_program_export_leaves_no_folder_and_the_retry_works(
    vault: Path, scratch: Path
) -> None:
    """Regression: a failed export left a half-written folder under the chosen name, and
    the retry then refused it ("exists and is not empty")."""
    out = scratch / "exported"
    with Session.open(vault, PASSPHRASE) as s:
        with installed(FaultyOps(20, persistent=True)), pytest.raises(MockauditError):
            s.export_program(out)
        assert not out.exists(), "a half-written export folder is visible under its name"
        # A killed export leaves its staging folder: the next export removes it.
        stale = scratch / ".exported.0123456789ab.partial"
        (stale / "evidence").mkdir(parents=True)
        (stale / "scenario.toml").write_text("half")
        count = s.export_program(out)
    assert count == len([p for p in out.rglob("*") if p.is_file()])
    assert sorted(p.name for p in scratch.iterdir()) == ["exported", "vault"]
    from mockaudit.scenarios.loader import load_scenario

    assert load_scenario(out).program == load_scenario(FIXTURE).program
    shutil.rmtree(out)
