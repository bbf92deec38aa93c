"""A vault built through the real CLI, and raw access to it as a passphrase holder has."""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mockaudit.vault import db, keyfile
from mockaudit.vault.blobstore import BlobStore
from tests.conftest import FAST_KDF_ARGS, PASSPHRASE

FIXTURE = Path(__file__).parents[1] / "scenarios" / "fixtures" / "valid"


@dataclass
class Built:
    vault: Path
    passfile: Path
    checkpoint: Path  # signed after the import, kept outside the vault
    run: object

    def cli(self, *args: object) -> object:
        return self.run(*args, "--vault", self.vault, "--passphrase-file", self.passfile)


@pytest.fixture
def built(run_cli, tmp_path: Path, passfile: Path) -> Built:
    vault = tmp_path / "vault"
    b = Built(vault, passfile, tmp_path / "outside" / "cp.txt", run_cli)
    b.checkpoint.parent.mkdir()
    assert b.cli("init", *FAST_KDF_ARGS).code == 0
    assert b.cli("import", FIXTURE).code == 0
    out = b.cli("vault", "checkpoint", "--out", b.checkpoint)
    assert out.code == 0, out.err
    return b


def raw_conn(vault: Path) -> db.Connection:
    """vault.db opened with the key, as someone holding the passphrase can."""
    return db.connect(vault / db.DB_FILE, keyfile.subkey(_vmk(vault), "sqlcipher"))


def _vmk(vault: Path) -> bytes:
    return keyfile.unwrap_vmk(keyfile.read_header(vault), PASSPHRASE)


def swap_blob(vault: Path, evidence_id: str, content: bytes, tmp: Path) -> None:
    """Re-encrypt ``content`` with the vault's own keys and point ``evidence_id`` at it."""
    import hashlib
    import io

    dek = secrets.token_bytes(32)
    store = BlobStore(vault)
    pending = store.write(io.BytesIO(content), dek)
    store.commit(pending)
    wrap_key = keyfile.subkey(_vmk(vault), "dek-wrap")
    nonce = secrets.token_bytes(12)
    wrapped = nonce + AESGCM(wrap_key).encrypt(nonce, dek, pending.blob_file.encode())
    conn = raw_conn(vault)
    conn.execute(
        "UPDATE evidence SET blob_file = ?, sha256 = ?, size = ?, wrapped_dek = ? "
        "WHERE evidence_id = ?",
        (
            pending.blob_file,
            hashlib.sha256(content).hexdigest(),
            len(content),
            wrapped,
            evidence_id,
        ),
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def copy_folder(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("vault.lock"))
