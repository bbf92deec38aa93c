"""``vault rekey`` and ``vault passwd`` epochs (issue 15 point 4).

After a rotation an old vault.key copy with the old passphrase opens nothing; after a
passphrase change an old vault.key is recognised as old. The kill loop for the
rotation lives with the other write paths in tests/faults/test_crash_paths.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mockaudit.errors import IntegrityError
from mockaudit.session import Session
from mockaudit.vault import db, keyfile
from tests.conftest import FAST_KDF_ARGS, PASSPHRASE


def _vault_with_evidence(run_cli, vault: Path, passfile: Path, tmp_path: Path) -> list[Path]:
    assert (
        run_cli("init", "--vault", vault, "--passphrase-file", passfile, *FAST_KDF_ARGS).code == 0
    )
    files = []
    for i in range(5):
        f = tmp_path / f"e{i}.txt"
        f.write_text(f"evidence {i} " * (i * 5000 + 1))
        files.append(f)
    out = run_cli("evidence", "add", *files, "--vault", vault, "--passphrase-file", passfile)
    assert out.code == 0, out.err
    return files


def test_rekey_locks_out_old_key_file_and_keeps_every_blob(
    run_cli, tmp_path: Path, passfile: Path
) -> None:
    vault = tmp_path / "vault"
    _vault_with_evidence(run_cli, vault, passfile, tmp_path)
    old_key = (vault / "vault.key").read_bytes()
    old_vmk = keyfile.unwrap_vmk(keyfile.parse_header(old_key), PASSPHRASE)
    cp = run_cli(
        "vault",
        "checkpoint",
        "--out",
        tmp_path / "cp.txt",
        "--vault",
        vault,
        "--passphrase-file",
        passfile,
    )
    assert cp.code == 0

    out = run_cli("vault", "rekey", "--vault", vault, "--passphrase-file", passfile)
    assert out.code == 0, out.err
    assert "key epoch 2" in out.out
    assert not (vault / keyfile.INTENT_FILE).exists()
    new_header = keyfile.read_header(vault)
    new_vmk = keyfile.unwrap_vmk(new_header, PASSPHRASE)
    assert new_vmk != old_vmk and new_header.key_epoch == 2
    assert (vault / "vault.key.bak").read_bytes() == (vault / "vault.key").read_bytes()

    # Every blob decrypts and re-hashes; history still extends the pre-rotation checkpoint.
    check = run_cli(
        "vault",
        "verify",
        "--full",
        "--against",
        tmp_path / "cp.txt",
        "--vault",
        vault,
        "--passphrase-file",
        passfile,
    )
    assert check.code == 0, check.out
    assert "blobs checked: 5" in check.out

    # The old master key no longer opens the database…
    with pytest.raises(IntegrityError):
        db.connect(vault / db.DB_FILE, keyfile.subkey(old_vmk, "sqlcipher"))
    # …so an old vault.key copy with the old passphrase opens nothing.
    stale = tmp_path / "stale"
    shutil.copytree(vault, stale)
    (stale / "vault.key").write_bytes(old_key)
    (stale / "vault.key.bak").write_bytes(old_key)
    refused = run_cli("evidence", "list", "--vault", stale, "--passphrase-file", passfile)
    assert refused.code == 4 and "Traceback" not in refused.err
    assert "cannot be decrypted" in refused.err


def test_passwd_bumps_the_epoch_so_an_old_key_file_is_recognised(
    run_cli, tmp_path: Path, passfile: Path
) -> None:
    vault = tmp_path / "vault"
    _vault_with_evidence(run_cli, vault, passfile, tmp_path)
    old_key = (vault / "vault.key").read_bytes()
    new_pass = tmp_path / "new.txt"
    new_pass.write_text("a brand new passphrase 2026\n")
    out = run_cli(
        "vault",
        "passwd",
        "--vault",
        vault,
        "--passphrase-file",
        passfile,
        "--new-passphrase-file",
        new_pass,
    )
    assert out.code == 0, out.err
    assert keyfile.read_header(vault).key_epoch == 2
    (vault / "vault.key").write_bytes(old_key)
    refused = run_cli("evidence", "list", "--vault", vault, "--passphrase-file", passfile)
    assert refused.code == 4
    assert "vault.key is an old copy (key epoch 1; vault.db is at 2)" in refused.err


def test_rekey_with_wrong_passphrase_changes_nothing(tmp_path: Path, session: Session) -> None:
    before = (session.vault.folder / "vault.key").read_bytes()
    with pytest.raises(Exception, match="wrong passphrase"):
        session.rekey("not the passphrase")
    assert (session.vault.folder / "vault.key").read_bytes() == before
    assert not (session.vault.folder / keyfile.INTENT_FILE).exists()


def test_rotation_killed_between_commit_and_rekey_is_finished_by_the_next_open(
    tmp_path: Path, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The middle state: data keys re-wrapped and committed under the old SQLCipher key."""
    from mockaudit.vault import rotation

    src = tmp_path / "a.txt"
    src.write_text("alpha")
    session.add_evidence([src])
    folder = session.vault.folder

    def killed(conn: object, vmk: bytes) -> None:
        raise KeyboardInterrupt  # stands in for the SIGKILL the crash loop delivers

    monkeypatch.setattr(rotation, "rekey_database", killed)
    with pytest.raises(KeyboardInterrupt):
        session.rekey(PASSPHRASE)
    session.vault._conn.close()  # the process died: nothing more reaches the file
    session.vault._conn = None
    session.vault._lock.release()
    monkeypatch.undo()
    assert (folder / keyfile.INTENT_FILE).exists()
    assert keyfile.read_header(folder).key_epoch == 1
    with Session.open(folder, PASSPHRASE) as again:
        assert again.verify(full=True).ok
        assert again.vault.header.key_epoch == 2
    assert not (folder / keyfile.INTENT_FILE).exists()
    assert keyfile.read_header(folder).key_epoch == 2
