"""Regression: every folder a write path creates is fsynced into its parent before the
operation is acknowledged (found by the power-loss audit, tests/powerloss/dir_audit.py).

A new folder's name lives in its parent; until the parent is fsynced, a power cut may
drop the folder and everything in it, fsynced or not. ``FileOps.mkdir`` made folders
with ``parents=True`` and never synced a parent, so the first blob stored in a new
shard folder (``blobs/<hex digit>/``), a new export folder, the subfolders of an
exported program and a new vault's own folder rested on names that were not durable.
Each case runs one write path with ``DirAudit`` as the file layer and requires no
pending entry afterwards (temp names excepted).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mockaudit import fsio
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.faults.program_paths import FIXTURE
from tests.powerloss.dir_audit import DirAudit


@pytest.fixture
def audit() -> Iterator[DirAudit]:
    ops = DirAudit()
    old = fsio.set_ops(ops)
    try:
        yield ops
    finally:
        fsio.set_ops(old)


def test_a_new_vault_folder_is_durable_in_its_parent(tmp_path: Path, audit: DirAudit) -> None:
    Session.create(tmp_path / "new" / "vault", PASSPHRASE, kdf=FAST_KDF).close()
    assert audit.unsynced() == []


def test_evidence_in_new_shard_folders_is_durable(tmp_path: Path, audit: DirAudit) -> None:
    with Session.create(tmp_path / "vault", PASSPHRASE, kdf=FAST_KDF) as s:
        files = []
        for i in range(40):  # enough blobs to touch most of the 16 shard folders
            path = tmp_path / f"e{i}.bin"
            path.write_bytes(f"evidence {i}".encode())
            files.append(path)
        s.add_evidence(files[:20])
        assert audit.unsynced() == []
        for path in files[20:]:
            s.add_evidence([path])
            assert audit.unsynced() == []
    shards = {p.name for p in (tmp_path / "vault" / "blobs").iterdir()}
    assert len(shards) > 8


def test_exports_into_new_folders_are_durable(tmp_path: Path, audit: DirAudit) -> None:
    with Session.create(tmp_path / "vault", PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(FIXTURE)
        audit.pending.clear()  # the vault itself is covered above
        s.export_program(tmp_path / "out" / "nested" / "program")
        assert audit.unsynced() == []
        ids = [e.evidence_id for e in s.list_evidence()][:3]
        s.export_evidence(ids, tmp_path / "out2" / "evidence")
        assert audit.unsynced() == []
    # The exported program has subfolders (evidence/…, populations/): each one synced.
    assert any(p.is_dir() for p in (tmp_path / "out" / "nested" / "program").iterdir())


def test_the_audit_sees_a_folder_whose_parent_was_never_synced(
    tmp_path: Path, audit: DirAudit
) -> None:
    """The audit itself: a folder made without fsyncing its parent is reported."""
    (tmp_path / "a").mkdir()
    audit._made(tmp_path / "a")
    assert audit.unsynced() == [str(tmp_path / "a")]
    audit.fsync_dir(tmp_path)
    assert audit.unsynced() == []
