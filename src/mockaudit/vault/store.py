"""The Vault facade: create/open/close, evidence in and out, custody and checkpoints.

Everything above this class (session, CLI, TUI) sees domain-level results and
``mockaudit.errors`` exceptions only — never a sqlcipher3 error or a key.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mockaudit import fsio
from mockaudit.domain.evidence import EvidenceInfo, Link
from mockaudit.errors import InputError, IntegrityError
from mockaudit.vault import (
    blob_format,
    custody,
    db,
    evidence_catalog,
    ingest,
    keyfile,
    keyslots,
    membership,
    migrations,
    opening,
    rollback_journal,
    rotation,
    signed_note,
    signing_key,
    vault_files,
)
from mockaudit.vault.blobstore import BlobStore
from mockaudit.vault.ingest import AddResult, Incoming
from mockaudit.vault.keyfile import KdfParams
from mockaudit.vault.lock import WriterLock

Progress = Callable[[int], None]


class Vault:
    """An open vault. Use ``Vault.create`` / ``Vault.open``; always ``close()``."""

    def __init__(
        self,
        folder: Path,
        header: keyfile.Header,
        vmk: bytes,
        conn: db.Connection,
        lock: WriterLock,
        who: keyfile.Unlocked,
    ) -> None:
        self.folder = folder
        self.header = header
        self.who = who  # the member (or recovery kit) that unlocked: custody names them
        self._vmk: bytes | None = vmk
        self._subkeys: dict[str, bytes] = {}
        self._conn: db.Connection | None = conn
        self._lock = lock
        self.blobs = BlobStore(folder)
        self.mutex = threading.RLock()
        # Blob files written inside the open ``transaction()``: removed if it rolls back.
        self.fresh_blobs: set[str] | None = None
        try:  # every event this session appends names the member (custody.set_actor)
            custody.set_actor(conn, who.member_id, who.display)
        except db.DatabaseError:
            if lock.held:
                raise
            # A read-only session appends nothing, and must open a damaged vault.db so
            # that `vault verify` can name its pages.

    # ----- lifecycle -----

    @classmethod
    def create(
        cls,
        folder: Path,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
        member: str = keyfile.OWNER,
        display: str = keyfile.OWNER_DISPLAY,
    ) -> Vault:
        """Make a new vault. vault.key is written last: until its rename nothing is a vault,
        and a failure removes what this call made, so a retry starts clean."""
        folder = Path(folder)
        vault_files.refuse_existing(folder)
        if not passphrase:
            raise InputError("the passphrase is empty")
        fsio.ops().mkdir(folder)
        lock = WriterLock(folder)
        lock.acquire()
        conn: db.Connection | None = None
        ours = False  # whether vault.db and the key files, if present, are this call's
        try:
            vault_files.refuse_existing(folder)  # again under the lock: another init may have won
            ours = True
            vmk = secrets.token_bytes(32)
            created = custody.now_utc().isoformat(timespec="seconds")
            header = keyfile.new_header(
                passphrase,
                vmk,
                vault_id=str(uuid.uuid4()),
                created_at=created,
                params=kdf or KdfParams(),
                epoch=1,
                member_id=keyslots.check_member_id(member),
                display=keyslots.check_display(display),
            )
            slot = header.slots[0]
            who = keyfile.Unlocked(
                slot.member_id, slot.display, slot.kind, slot.slot_id, False, vmk, b"", b""
            )
            vault_files.precreate_private(folder / db.DB_FILE)
            conn = db.connect(folder / db.DB_FILE, keyfile.subkey(vmk, "sqlcipher"), create=True)
            vault_files.make_private(folder)
            vault = cls(folder, header, vmk, conn, lock, who)
            vault._initialise()
            keyfile.write_header(folder, header)  # last: a vault without its key file is unusable
        except BaseException:
            if conn is not None:
                conn.close()
            if ours:
                vault_files.remove_unfinished(folder)
            lock.release()
            raise
        return vault

    @classmethod
    def open(
        cls,
        folder: Path,
        passphrase: str,
        *,
        write: bool = True,
        member: str | None = None,
        recovery: bool = False,
        setting_passphrase: bool = False,
    ) -> Vault:
        """Unlock as ``member``: one Argon2id run, and nothing in the folder changes before
        it succeeds. A recovery code or an enrolment code opens only to set a passphrase
        (``setting_passphrase``); a format-1 vault.key is migrated by a writable open."""
        folder = Path(folder)
        header = keyfile.read_header(folder)
        who = keyfile.unlock(header, passphrase, member, recovery=recovery)
        opening.refuse_codes(who, setting_passphrase)
        db_path = folder / db.DB_FILE
        if not db_path.is_file():
            raise IntegrityError(f"{db_path} is missing; restore it from your backup")
        lock = WriterLock(folder)
        if write:
            lock.acquire()
        try:
            vmk = who.vmk
            if keyfile.has_intent(folder):  # a key rotation was killed: finish or undo it
                header, vmk = rotation.finish_interrupted(folder, header, who, held=write)
            conn = opening.connect(db_path, vmk, header, tolerate=not write)
            vault = cls(folder, header, vmk, conn, lock, who)
            if write:
                migrations.migrate(conn)
                vault.recover()
                vault_files.make_private(folder)
            vault._check_epoch()
            if write and header.legacy is not None:
                membership.migrate(vault)  # format 1 → one slot named owner
            if write:  # only a header proven to match this database may replace the backup
                keyfile.heal_backup(folder, vault.header)
        except BaseException:
            lock.release()
            raise
        return vault

    def close(self) -> None:
        """Safe to call more than once. Checkpoints the WAL so the main file is complete."""
        with self.mutex:
            conn, self._conn = self._conn, None
            self._vmk = None
            self._subkeys.clear()
            if conn is not None:
                try:
                    if self._lock.held:
                        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except db.DatabaseError:
                    pass
                finally:
                    conn.close()
            self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> db.Connection:
        if self._conn is None:
            raise InputError("the vault is locked")
        return self._conn

    @property
    def writable(self) -> bool:
        return self._lock.held

    def _key(self, purpose: str) -> bytes:
        if self._vmk is None:
            raise InputError("the vault is locked")
        key = self._subkeys.get(purpose)
        if key is None:
            key = self._subkeys[purpose] = keyfile.subkey(self._vmk, purpose)
        return key

    def _initialise(self) -> None:
        migrations.migrate(self.conn)
        facts = db.cipher_facts(self.conn)
        with db.atomic(self.conn):
            self.conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("vault_id", self.header.vault_id),
                    ("created_at", self.header.created_at),
                    ("key_epoch", str(self.header.key_epoch)),
                    *facts.items(),
                ],
            )
            signing_key.store_new(self.conn, self._key(signing_key.WRAP_PURPOSE))

    def _check_epoch(self) -> None:
        try:
            stored = rotation.db_epoch(self.conn)
        except db.DatabaseError:
            if self.writable:
                raise
            return  # read-only opens go on, so that `vault verify` can name damaged pages
        mine = self.header.key_epoch
        if stored == mine:
            return
        if stored is not None and mine == stored + 1:
            self._catch_up_epoch()
            return
        if stored is not None and mine < stored:
            raise IntegrityError(
                f"vault.key is an old copy (key epoch {mine}; vault.db is at {stored}): a "
                "later passphrase change or key rotation replaced it; use the current vault.key"
            )
        raise IntegrityError("vault.key and vault.db disagree on the key epoch; restore both")

    def _catch_up_epoch(self) -> None:
        """vault.key is one passphrase change ahead (killed before its commit): catch up."""
        lock = None if self.writable else WriterLock(self.folder)
        if lock is not None:
            lock.acquire()
        try:
            rotation.catch_up_epoch(self.conn, self.header)
        finally:
            if lock is not None:
                lock.release()

    def meta(self) -> dict[str, str]:
        return {k: v for k, v in self.conn.execute("SELECT key, value FROM meta ORDER BY key")}

    def recover(self) -> None:
        """Sweep crash leftovers: remove ``*.partial`` files (blobs and key-file temps),
        move orphan blobs to ``quarantine/`` (never deleted: see blobstore.py)."""
        self.blobs.sweep(self._known_blob_files(), act=True)
        fsio.sweep_temps(self.folder, {keyfile.KEY_FILE, keyfile.BACKUP_FILE, keyfile.INTENT_FILE})

    def purge_quarantine(self) -> tuple[int, int]:
        """Delete the quarantined blob files for good (the user's decision); (files, bytes)."""
        self._require_writer()
        with self.mutex:
            return self.blobs.purge_quarantine()

    def _known_blob_files(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT blob_file FROM evidence")}

    # ----- data keys -----

    def _wrap_dek(self, blob_file: str, dek: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self._key("dek-wrap")).encrypt(nonce, dek, blob_file.encode())

    def _unwrap_dek(self, blob_file: str, wrapped: bytes) -> bytes:
        try:
            return AESGCM(self._key("dek-wrap")).decrypt(
                wrapped[:12], wrapped[12:], blob_file.encode()
            )
        except (InvalidTag, ValueError):
            raise IntegrityError(f"the data key of blob {blob_file[:8]}… is damaged") from None

    # ----- evidence in -----

    def add_file(
        self,
        path: Path,
        *,
        link: Link | None = None,
        source: str = "file",
        event: str = "collected",
        original_name: str | None = None,
        progress: Progress | None = None,
    ) -> AddResult:
        item = Incoming.file(Path(path), link=link, source=source, event=event, name=original_name)
        return self.add_many([item], progress=progress)[0]

    def add_stream(
        self,
        src: BinaryIO,
        original_name: str,
        *,
        link: Link | None = None,
        source: str = "file",
        event: str = "collected",
        progress: Progress | None = None,
    ) -> AddResult:
        item = Incoming(lambda: _Borrowed(src), original_name, link, source, event)
        return self.add_many([item], progress=progress)[0]

    def add_many(
        self, items: Iterable[Incoming], *, progress: Progress | None = None
    ) -> list[AddResult]:
        """Store files in batches: blobs durable first, then one commit per batch."""
        self._require_writer()
        with self.mutex:
            return ingest.add_all(self, items, progress)

    @contextlib.contextmanager
    def transaction(self, *, in_place: bool = False) -> Iterator[db.Connection]:
        """One transaction around ``add_many`` calls and the rows that refer to their items.

        ``in_place``: a bulk write (a population's rows) goes through a rollback journal
        when the vault is this connection's alone, so its pages are written once
        (rollback_journal.py).

        Inside it ``add_many`` commits nothing on its own (its batches become savepoints),
        so an import is all or nothing: a failure at any later statement rolls back the
        evidence rows and custody events with everything else. The blobs those rows
        pointed at — only those this transaction wrote, never any other file — are
        durable files whose data keys were never committed; they are removed at once
        so no space stays taken.
        """
        self._require_writer()
        with self.mutex:
            outer = self.fresh_blobs is None
            if outer:
                self.fresh_blobs = set()
            journal = rollback_journal.written_in_place(self.conn) if in_place and outer else None
            try:
                with journal or contextlib.nullcontext(), db.atomic(self.conn):
                    yield self.conn
            except BaseException:
                if outer and self.fresh_blobs:
                    with contextlib.suppress(OSError, db.DatabaseError):
                        self.blobs.forget(self.fresh_blobs, self._known_blob_files())
                raise
            finally:
                if outer:
                    self.fresh_blobs = None

    def wrap_dek(self, blob_file: str, dek: bytes) -> bytes:
        return self._wrap_dek(blob_file, dek)

    def link(self, evidence_id: str, link: Link | None) -> None:
        if link is None or link == Link():
            return
        self.conn.execute(
            "INSERT OR IGNORE INTO evidence_links (evidence_id, control_id, population_id, "
            "item_key) VALUES (?, ?, ?, ?)",
            (evidence_id, link.control_id, link.population_id, link.item_key),
        )

    def _require_writer(self) -> None:
        if not self.writable:
            raise InputError("the vault was opened read-only")

    # ----- evidence out -----

    def list_evidence(
        self, *, control: str | None = None, search: str | None = None
    ) -> list[EvidenceInfo]:
        return evidence_catalog.list_evidence(self.conn, control=control, search=search)

    def get_evidence(self, evidence_id: str) -> EvidenceInfo:
        return evidence_catalog.get_evidence(self.conn, evidence_id)

    def custody_history(self, evidence_id: str) -> list[custody.CustodyEvent]:
        self.get_evidence(evidence_id)
        return custody.history(self.conn, evidence_id)

    def read_chunks(self, evidence_id: str) -> Iterator[bytes]:
        """Authenticated plaintext chunks; IntegrityError before any unverified byte."""
        info = self.get_evidence(evidence_id)
        wrapped = self.conn.execute(
            "SELECT wrapped_dek FROM evidence WHERE evidence_id = ?", (evidence_id,)
        ).fetchone()[0]
        dek = self._unwrap_dek(info.blob_file, bytes(wrapped))
        try:
            fh = self.blobs.open(info.blob_file)
        except FileNotFoundError:
            raise IntegrityError(f"{evidence_id}: its encrypted blob is missing") from None
        with fh:
            yield from blob_format.decrypt_stream(
                fh, dek, expected_blob_id=bytes.fromhex(info.blob_file)
            )

    def record_export(self, evidence_id: str, destination: str, purpose: str) -> None:
        self._require_writer()
        with self.mutex, db.atomic(self.conn):
            custody.append(
                self.conn,
                "exported",
                evidence_id=evidence_id,
                destination=destination,
                purpose=purpose,
            )

    # ----- custody and checkpoints -----

    @property
    def origin(self) -> str:
        return f"mockaudit.local/{self.header.vault_id}"

    def public_key(self) -> bytes:
        return signing_key.public_key(self.conn)

    def verifier_key(self) -> str:
        return signed_note.verifier_key(self.origin, self.public_key())

    def key_id(self) -> str:
        """What ``package verify --key`` pins: the signing key's fingerprint, 16 hex digits."""
        return signed_note.fingerprint(self.origin, self.public_key())[: signed_note.PIN_HEX_MIN]

    def tree_size(self) -> int:
        return custody.tree_size(self.conn)

    def checkpoint(self, out: Path | None = None) -> str:
        """Sign the current custody root as a C2SP checkpoint note, record and return it
        (signing_key.record_checkpoint: written to ``out`` before the commit, if given)."""
        self._require_writer()
        with self.mutex, db.atomic(self.conn):
            key = signing_key.signer(self.conn, self._key(signing_key.WRAP_PURPOSE))
            return signing_key.record_checkpoint(self.conn, self.origin, key, out)

    def latest_checkpoint(self) -> str | None:
        return signing_key.latest_checkpoint(self.conn)

    # ----- keys and members (membership.py) -----

    @property
    def master_key(self) -> bytes:
        if self._vmk is None:
            raise InputError("the vault is locked")
        return self._vmk

    def use_master_key(self, header: keyfile.Header, vmk: bytes) -> None:
        """A committed rotation: this session goes on with the new header and keys."""
        self.header, self._vmk = header, vmk
        self._subkeys.clear()

    def require_writer(self) -> None:
        self._require_writer()

    def change_passphrase(self, new_passphrase: str, *, kdf: KdfParams | None = None) -> None:
        """Re-wrap the acting member's slot under a new passphrase: one atomic file replace."""
        membership.set_passphrase(self, self.who.member_id, new_passphrase, kdf=kdf)

    def rekey(self, passphrase: str) -> int:
        """A new master key (protocol in rotation.py); returns the new key epoch."""
        return membership.rekey(self, passphrase)


class _Borrowed:
    """A caller's stream handed to the ingester without closing it afterwards."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh

    def __enter__(self) -> BinaryIO:
        return self.fh

    def __exit__(self, *exc: object) -> None:
        return None
