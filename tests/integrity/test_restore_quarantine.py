"""Issue 15 acceptance 3 (point 3): restoring an older vault.db — as our own error
messages advise — and then adding evidence never deletes the newer blobs: they are
moved to quarantine/, listed by ``vault verify``, and can be put back."""

from __future__ import annotations

import shutil
from pathlib import Path

from mockaudit.vault.blobstore import BlobStore
from tests.integrity.conftest import Built


def _blob_bytes(vault: Path) -> dict[str, bytes]:
    found = {p.name: p.read_bytes() for p in BlobStore(vault).iter_files()}
    quarantine = vault / "quarantine"
    if quarantine.is_dir():
        found.update({p.name: p.read_bytes() for p in quarantine.iterdir()})
    return found


def test_older_db_restored_then_evidence_add_deletes_no_blob(built: Built, tmp_path: Path) -> None:
    backup = tmp_path / "vault.db.backup"
    shutil.copy2(built.vault / "vault.db", backup)  # closed vault: the WAL was checkpointed
    newer = []
    for i in range(3):
        f = tmp_path / f"newer-{i}.txt"
        f.write_text(f"evidence collected after the backup {i}")
        newer.append(f)
    assert built.cli("evidence", "add", *newer).code == 0
    before = _blob_bytes(built.vault)

    for suffix in ("", "-wal", "-shm"):
        (built.vault / f"vault.db{suffix}").unlink(missing_ok=True)
    shutil.copy2(backup, built.vault / "vault.db")
    late = tmp_path / "late.txt"
    late.write_text("added to the restored vault")
    added = built.cli("evidence", "add", late)
    assert added.code == 0, added.err

    after = _blob_bytes(built.vault)
    assert {k: v for k, v in after.items() if k in before} == before, "a blob was deleted"
    quarantined = sorted(p.name for p in (built.vault / "quarantine").iterdir())
    assert len(quarantined) == 3

    out = built.cli("vault", "verify")
    assert out.code == 0
    for name in quarantined:
        assert f"quarantined: quarantine/{name}" in out.out
    assert "vault purge-quarantine" in out.out

    purged = built.cli("vault", "purge-quarantine", "--yes")
    assert purged.code == 0 and "purged 3 quarantined file(s)" in purged.out
    assert list((built.vault / "quarantine").iterdir()) == []
