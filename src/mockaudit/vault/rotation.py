"""``vault rekey``: a new master key, crash-safe — exactly one key opens after a kill.

What a rotation changes (vault-security.md §4.3): every blob's data key re-wrapped,
the custody signing key re-wrapped (same key pair: checkpoints and package key IDs
stay valid), the SQLCipher database re-keyed (``PRAGMA rekey``), the key epoch
bumped, a ``key_rotated`` custody event. Blob files are not rewritten: their data
keys are what the master key protects.

Protocol (write-ahead intent; each step durable before the next):

1. ``vault.key.next`` — the new header (new master key, epoch + 1, same passphrase)
   written atomically beside ``vault.key``. Until step 2 commits it means nothing.
2. One SQLite transaction under the *old* SQLCipher key: every data key and the
   signing key re-wrapped under the new master key, ``meta.key_epoch`` = epoch + 1,
   the ``key_rotated`` event. This COMMIT is the point of no return.
3. ``PRAGMA rekey`` to the new SQLCipher key: SQLCipher rewrites every page in one
   write transaction, so a crash leaves the file wholly under one key or the other.
4. ``vault.key`` (and its backup) replaced by the intent; the intent removed.

Recovery (``finish_interrupted``, run by every open that finds ``vault.key.next``,
under the writer lock): if the database opens with the intent's key, steps 1–3 are
done — finish step 4. Else it opens with the old key: if its epoch is the intent's,
step 2 committed — re-key it (step 3), then step 4; if its epoch is the old one,
nothing committed — remove the intent and the old key stays. The intent seals the new
master key to every remaining slot, so whichever member opens the vault next drives the
recovery with the slot key they just unlocked (no second derivation).

``vault passwd`` needs no intent: it re-wraps the same master key, with epoch + 1, and
its commit point is the rename of ``vault.key`` inside the transaction that bumps the
database's epoch (so do adding a member and the recovery kit: membership.py). A kill
between the two leaves vault.key one epoch ahead; the next open (which proved the new
passphrase) brings the database up to it (``catch_up_epoch``). A vault.key *behind*
the database is an old copy and refused.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mockaudit.errors import HeaderDamagedError, IntegrityError
from mockaudit.vault import custody, db, keyfile
from mockaudit.vault.keyfile import Header
from mockaudit.vault.lock import WriterLock
from mockaudit.vault.signing_key import SIGNING_KEY, WRAP_PURPOSE

_PAGE = 1000


def rewrap(blob: bytes, aad: bytes, old_key: bytes, new_key: bytes) -> bytes:
    """Unwrap ``nonce ‖ ciphertext`` under ``old_key`` and wrap it again under ``new_key``."""
    try:
        raw = AESGCM(old_key).decrypt(blob[:12], blob[12:], aad)
    except (InvalidTag, ValueError):
        raise IntegrityError(
            f"a wrapped key ({aad.decode(errors='replace')[:8]}…) is damaged"
        ) from None
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(new_key).encrypt(nonce, raw, aad)


def rewrap_all(conn: db.Connection, old_vmk: bytes, new_vmk: bytes) -> int:
    """Step 2's re-wrapping (caller's transaction): every data key and the signing key."""
    old_dek, new_dek = keyfile.subkey(old_vmk, "dek-wrap"), keyfile.subkey(new_vmk, "dek-wrap")
    done = 0
    last = ""
    while True:
        rows = conn.execute(
            "SELECT evidence_id, blob_file, wrapped_dek FROM evidence WHERE evidence_id > ? "
            "ORDER BY evidence_id LIMIT ?",
            (last, _PAGE),
        ).fetchall()
        if not rows:
            break
        conn.executemany(
            "UPDATE evidence SET wrapped_dek = ? WHERE evidence_id = ?",
            [(rewrap(bytes(w), blob.encode(), old_dek, new_dek), ev) for ev, blob, w in rows],
        )
        done += len(rows)
        last = rows[-1][0]
    (wrapped,) = conn.execute(
        "SELECT wrapped FROM secrets WHERE name = ?", (SIGNING_KEY,)
    ).fetchone()
    old_sign = keyfile.subkey(old_vmk, WRAP_PURPOSE)
    new_sign = keyfile.subkey(new_vmk, WRAP_PURPOSE)
    conn.execute(
        "UPDATE secrets SET wrapped = ? WHERE name = ?",
        (rewrap(bytes(wrapped), SIGNING_KEY.encode(), old_sign, new_sign), SIGNING_KEY),
    )
    return done


def commit_rotation(
    conn: db.Connection,
    old: Header,
    new: Header,
    old_vmk: bytes,
    new_vmk: bytes,
    *,
    removal: dict[str, str] | None = None,
) -> int:
    """Step 2: one transaction; returns how many data keys were re-wrapped. ``removal``:
    the rotation removes a member (membership.py), recorded first, in the same commit."""
    with db.atomic(conn):
        if removal is not None:
            custody.append(conn, "member_removed", key_epoch=new.key_epoch, **removal)
        count = rewrap_all(conn, old_vmk, new_vmk)
        set_epoch(conn, new.key_epoch)
        custody.append(
            conn,
            "key_rotated",
            purpose="master key rotation",
            from_epoch=old.key_epoch,
            key_epoch=new.key_epoch,
            data_keys_rewrapped=count,
        )
    return count


def rekey_database(conn: db.Connection, new_vmk: bytes) -> None:
    """Step 3: SQLCipher rewrites every page under the new raw key, atomically."""
    conn.execute(f"PRAGMA rekey = \"x'{keyfile.subkey(new_vmk, 'sqlcipher').hex()}'\"")


def promote(folder: Path, new: Header) -> None:
    """Step 4: vault.key (and its backup) become the intent; the intent goes."""
    with contextlib.suppress(OSError, HeaderDamagedError):
        if (folder / keyfile.KEY_FILE).read_bytes() == new.to_bytes():
            keyfile.remove_intent(folder)
            return
    keyfile.write_header(folder, new)
    keyfile.remove_intent(folder)


def set_epoch(conn: db.Connection, epoch: int) -> None:
    conn.execute("UPDATE meta SET value = ? WHERE key = 'key_epoch'", (str(epoch),))


def db_epoch(conn: db.Connection) -> int | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'key_epoch'").fetchone()
    return int(row[0]) if row else None


def finish_interrupted(
    folder: Path, header: Header, who: keyfile.Unlocked, held: bool
) -> tuple[Header, bytes]:
    """Finish or undo a rotation a kill interrupted; the header and key that now open.

    ``who``: the slot that just unlocked ``header`` (its key opens the intent too, with
    no second derivation). ``held``: the caller already holds the writer lock (else it is
    taken for the repair).
    """
    lock = None if held else WriterLock(folder)
    if lock is not None:
        lock.acquire()
    try:
        return _finish(folder, header, who)
    finally:
        if lock is not None:
            lock.release()


def _finish(folder: Path, header: Header, who: keyfile.Unlocked) -> tuple[Header, bytes]:
    path = folder / db.DB_FILE
    vmk = who.vmk
    intent: Header | None
    try:
        intent = keyfile.read_intent(folder)
        new_vmk = keyfile.reopen(intent, who) if intent is not None else None
    except HeaderDamagedError:
        intent, new_vmk = None, None
    if intent is None or new_vmk is None or intent.vault_id != header.vault_id:
        return _drop_stray_intent(folder, path, header, vmk)
    conn = _try_connect(path, new_vmk)
    if conn is not None:  # steps 1–3 done
        conn.close()
        promote(folder, intent)
        return intent, new_vmk
    conn = _try_connect(path, vmk)
    if conn is None:
        raise IntegrityError(
            "vault.db opens with neither the old nor the new key of an interrupted key "
            "rotation; restore vault.db from your backup"
        )
    try:
        epoch = db_epoch(conn)
        if epoch == intent.key_epoch:  # step 2 committed, step 3 not
            rekey_database(conn, new_vmk)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            moved = True
        else:
            moved = False
    finally:
        conn.close()
    if moved:
        promote(folder, intent)
        return intent, new_vmk
    keyfile.remove_intent(folder)  # nothing committed: the old key stays
    return header, vmk


def _drop_stray_intent(
    folder: Path, path: Path, header: Header, vmk: bytes
) -> tuple[Header, bytes]:
    """An intent that does not open with this passphrase: drop it only if the database
    shows no rotation under way (its epoch is the header's)."""
    conn = _try_connect(path, vmk)
    if conn is not None:
        try:
            epoch = db_epoch(conn)
        finally:
            conn.close()
        if epoch == header.key_epoch:
            keyfile.remove_intent(folder)
            return header, vmk
    raise IntegrityError(
        f"a key rotation was interrupted and {keyfile.INTENT_FILE} does not open with this "
        "key slot (damaged, or the rotation removes this member); another member's open "
        "finishes it, else restore the vault folder from your backup"
    )


def _try_connect(path: Path, vmk: bytes) -> db.Connection | None:
    try:
        return db.connect(path, keyfile.subkey(vmk, "sqlcipher"))
    except IntegrityError:
        return None


def catch_up_epoch(conn: db.Connection, header: Header) -> None:
    """A passphrase change killed between its vault.key rename and its commit: the
    database takes the header's epoch (the header opened, so it is this vault's)."""
    event = header.change if header.change in custody.HEADER_EVENTS else "passphrase_changed"
    fields = {"member_id": header.change_member} if header.change_member else {}
    with db.atomic(conn):
        set_epoch(conn, header.key_epoch)
        custody.append(
            conn,
            event,
            purpose="finishing an interrupted change of vault.key",
            key_epoch=header.key_epoch,
            recovered=True,
            **fields,
        )
