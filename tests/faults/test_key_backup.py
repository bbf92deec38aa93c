"""vault.key.bak after failed writes: brought back in line at the next writable open, never
from a header that does not belong to the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockaudit.errors import IntegrityError
from mockaudit.session import Session
from mockaudit.vault import keyfile
from tests.conftest import FAST_KDF, PASSPHRASE


@pytest.fixture
def folder(scratch: Path) -> Path:
    path = scratch / "vault"
    Session.create(path, PASSPHRASE, kdf=FAST_KDF).close()
    return path


def _other_header(folder: Path, *, epoch: int | None = None) -> keyfile.Header:
    """A valid header for the same master key (what a half-done passphrase change leaves)."""
    header = keyfile.read_header(folder)
    vmk = keyfile.unwrap_vmk(header, PASSPHRASE)
    return keyfile.new_header(
        "some other passphrase",
        vmk,
        vault_id=header.vault_id,
        created_at=header.created_at,
        params=header.kdf,
        epoch=header.key_epoch if epoch is None else epoch,
    )


def test_a_backup_left_ahead_is_rewritten_at_the_next_writable_open(folder: Path) -> None:
    bak = folder / keyfile.BACKUP_FILE
    bak.write_bytes(_other_header(folder).to_bytes())
    (folder / ".vault.key.0123456789ab.partial").write_bytes(b"half a header")
    Session.open(folder, PASSPHRASE, write=False).close()
    assert bak.read_bytes() != (folder / keyfile.KEY_FILE).read_bytes()  # read-only: untouched
    Session.open(folder, PASSPHRASE).close()
    assert bak.read_bytes() == (folder / keyfile.KEY_FILE).read_bytes()
    assert not list(folder.glob("*.partial"))


def test_a_matching_backup_is_not_rewritten(folder: Path) -> None:
    bak = folder / keyfile.BACKUP_FILE
    before = bak.stat()
    Session.open(folder, PASSPHRASE).close()
    after = bak.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_key_file_from_another_epoch_never_overwrites_the_backup(folder: Path) -> None:
    good = (folder / keyfile.BACKUP_FILE).read_bytes()
    wrong = _other_header(folder, epoch=7)
    (folder / keyfile.KEY_FILE).write_bytes(wrong.to_bytes())
    with pytest.raises(IntegrityError, match="key epoch"):
        Session.open(folder, "some other passphrase")
    assert (folder / keyfile.BACKUP_FILE).read_bytes() == good
