"""The custody signing key (Ed25519) and the checkpoints it signs.

The private key is stored in ``secrets`` wrapped with AES-GCM under the master key's
``sign-wrap`` subkey (its name as AAD); the public key beside it in the clear. A
checkpoint is the custody tree's size and root as a C2SP signed note, recorded in
``checkpoints`` with its own custody event (vault-security.md §5).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mockaudit import fsio
from mockaudit.errors import IntegrityError
from mockaudit.vault import custody, signed_note
from mockaudit.vault.db import Connection

SIGNING_KEY = "custody-signing-key"
WRAP_PURPOSE = "sign-wrap"  # the master key's subkey that wraps it


def store_new(conn: Connection, wrap_key: bytes) -> None:
    """Generate the vault's signing key and store it wrapped (caller's transaction)."""
    signer = Ed25519PrivateKey.generate()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(wrap_key).encrypt(nonce, signer.private_bytes_raw(), SIGNING_KEY.encode())
    conn.execute(
        "INSERT INTO secrets (name, wrapped, public) VALUES (?, ?, ?)",
        (SIGNING_KEY, nonce + sealed, signer.public_key().public_bytes_raw()),
    )


def public_key(conn: Connection) -> bytes:
    row = conn.execute("SELECT public FROM secrets WHERE name = ?", (SIGNING_KEY,)).fetchone()
    return bytes(row[0])


def signer(conn: Connection, wrap_key: bytes) -> Ed25519PrivateKey:
    row = conn.execute("SELECT wrapped FROM secrets WHERE name = ?", (SIGNING_KEY,)).fetchone()
    wrapped = bytes(row[0])
    try:
        raw = AESGCM(wrap_key).decrypt(wrapped[:12], wrapped[12:], SIGNING_KEY.encode())
    except InvalidTag:
        raise IntegrityError("the custody signing key is damaged") from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def record_checkpoint(
    conn: Connection, origin: str, key: Ed25519PrivateKey, out: Path | None
) -> str:
    """Sign the current custody root, record the note and its event (caller's transaction).

    With ``out`` the note is also written there (atomically) before the caller commits: if
    that write fails, no checkpoint is recorded either. The note pins the tree as it was
    before its own event, so a note written just before a failed commit is still true.
    """
    size = custody.tree_size(conn)
    root = custody.root_at(conn, size)
    text = signed_note.checkpoint_text(signed_note.Checkpoint(origin, size, root))
    note = signed_note.sign_note(text, origin, key)
    stamp = custody.now_utc().isoformat(timespec="seconds")
    conn.execute(
        "INSERT OR REPLACE INTO checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)",
        (size, root, note, stamp),
    )
    custody.append(conn, "checkpoint", size=size, root=root.hex())
    if out is not None:
        fsio.sweep_temps(out.parent, {out.name})  # an earlier failed write's
        fsio.atomic_write_bytes(out, note.encode("utf-8"))
    return note


def latest_checkpoint(conn: Connection) -> str | None:
    row = conn.execute("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1").fetchone()
    return str(row[0]) if row else None
