"""The vault header (``vault.key``): key slots (one per member), removed members, a checksum.

Key hierarchy (vault-security.md §4.3; the slots are in keyslots.py)::

    member passphrase --Argon2id(slot params, slot salt)--> KEK --> slot key --> VMK
    VMK --HKDF("mockaudit/sqlcipher/v1")--> raw SQLCipher key
    VMK --HKDF("mockaudit/dek-wrap/v1")---> wraps each blob's data key
    VMK --HKDF("mockaudit/sign-wrap/v1")--> wraps the Ed25519 custody signing key

The header is canonical JSON with a plain SHA-256 ``checksum`` over every other
field: a damaged header fails the checksum (HeaderDamagedError) before any key is
derived, while an intact header whose wrapped key will not open means a wrong
passphrase (WrongPassphraseError). The KDF parameters are bound into the AEAD's
associated data and capped on read, so a crafted header can neither be
downgraded silently nor demand gigabytes of memory.

Format 1 (one passphrase, no slots) is still read (keyheader.py): the first writable
open migrates it to format 2 with one slot named ``owner`` (``migrated``; store.py does
it crash-safely). Member ids and display names are in plain text in the header (who may
unlock is not a secret from whoever holds the file; what they unlock is).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mockaudit import fsio
from mockaudit.errors import InputError, MemberError, WrongPassphraseError
from mockaudit.paths import KEY_FILE as KEY_FILE
from mockaudit.vault import keyslots
from mockaudit.vault.keyheader import BACKUP_FILE as BACKUP_FILE
from mockaudit.vault.keyheader import HEADER_FORMAT as HEADER_FORMAT
from mockaudit.vault.keyheader import LEGACY_FORMAT as LEGACY_FORMAT
from mockaudit.vault.keyheader import MAX_HEADER_BYTES as MAX_HEADER_BYTES
from mockaudit.vault.keyheader import MAX_ITERATIONS as MAX_ITERATIONS
from mockaudit.vault.keyheader import MAX_LANES as MAX_LANES
from mockaudit.vault.keyheader import MAX_MEMORY_KIB as MAX_MEMORY_KIB
from mockaudit.vault.keyheader import MIN_MEMORY_KIB as MIN_MEMORY_KIB
from mockaudit.vault.keyheader import OWNER as OWNER
from mockaudit.vault.keyheader import OWNER_DISPLAY as OWNER_DISPLAY
from mockaudit.vault.keyheader import Header as Header
from mockaudit.vault.keyheader import KdfParams as KdfParams
from mockaudit.vault.keyheader import Legacy as Legacy
from mockaudit.vault.keyheader import Removed as Removed
from mockaudit.vault.keyheader import canonical_json as canonical_json
from mockaudit.vault.keyheader import parse_header as parse_header
from mockaudit.vault.keyslots import Slot

MEMBER_ENV = "MOCKAUDIT_MEMBER"
INTENT_FILE = "vault.key.next"
"""The header a master-key rotation is moving to; present only while one is under way
(write-ahead intent: see rotation.py)."""


def derive_kek(passphrase: str, params: KdfParams, salt: bytes) -> bytes:
    if not passphrase:
        raise WrongPassphraseError("the passphrase is empty")
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))


# ----- building headers -----


def passphrase_slot(
    passphrase: str,
    vault_id: str,
    *,
    member_id: str,
    display: str,
    params: KdfParams,
    added_at: str,
    kind: str = "passphrase",
    must_change: bool = False,
    private: bytes | None = None,
) -> Slot:
    """A new (unsealed) slot for ``passphrase``: one Argon2id run with a fresh salt."""
    params.check()
    salt = os.urandom(16)
    kek = derive_kek(passphrase, params, salt)
    return keyslots.new_slot(
        kek,
        vault_id,
        member_id=member_id,
        display=display,
        kind=kind,
        added_at=added_at,
        kdf=(params.memory_kib, params.iterations, params.lanes),
        salt=salt,
        must_change=must_change,
        private=private,
    )


def build_header(
    vmk: bytes,
    *,
    vault_id: str,
    created_at: str,
    epoch: int,
    slots: Iterable[Slot],
    removed: Iterable[Removed] = (),
    change: str = "",
    change_member: str = "",
) -> Header:
    """A format-2 header: the master key sealed to every slot for ``epoch`` (no passphrase
    is needed, so one member can add, re-key or remove for everyone)."""
    sealed = tuple(keyslots.seal(vmk, vault_id, s, epoch) for s in slots)
    return Header(vault_id, created_at, epoch, sealed, tuple(removed), change, change_member)


def new_header(
    passphrase: str,
    vmk: bytes,
    *,
    vault_id: str,
    created_at: str,
    params: KdfParams,
    epoch: int,
    member_id: str = OWNER,
    display: str = OWNER_DISPLAY,
) -> Header:
    """A header with one member slot (a new vault's)."""
    slot = passphrase_slot(
        passphrase,
        vault_id,
        member_id=member_id,
        display=display,
        params=params,
        added_at=created_at,
    )
    return build_header(
        vmk,
        vault_id=vault_id,
        created_at=created_at,
        epoch=epoch,
        slots=[slot],
        change="created",
        change_member=member_id,
    )


# ----- unlocking -----


@dataclass(frozen=True)
class Unlocked:
    """Who unlocked and the keys that proved it (never printed: repr hides the keys)."""

    member_id: str
    display: str
    kind: str
    slot_id: str
    must_change: bool
    vmk: bytes = field(repr=False)
    private: bytes = field(repr=False)  # the slot's X25519 key (b"" for a format-1 header)
    kek: bytes = field(repr=False)  # kept for the one-time migration of a format-1 header


def recovery_slots(header: Header) -> list[Slot]:
    """The recovery kit's slots, newest first (two only while a new kit is being made)."""
    found = [s for s in header.slots if s.kind == "recovery"]
    if not found:
        raise MemberError("this vault has no recovery kit (make one: 'vault recovery-kit')")
    return found[::-1]


def find_slot(header: Header, member: str | None) -> Slot:
    """The slot ``member`` unlocks with; one clear line (MemberError) if there is none."""
    members = header.members()
    if member is None:
        if len(members) == 1:
            return members[0]
        names = ", ".join(s.member_id for s in members[:12])
        raise MemberError(
            f"this vault has {len(members)} members ({names}); say who you are with "
            f"--member NAME or {MEMBER_ENV}"
        )
    slot = next((s for s in members if s.member_id == member), None)
    if slot is not None:
        return slot
    gone = next((r for r in reversed(header.removed) if r.member_id == member), None)
    if gone is not None:
        raise MemberError(
            f"member {member!r} was removed from this vault on {gone.removed_at[:10]}; "
            "ask a member to add you again"
        )
    raise MemberError(
        f"no member named {member[:40]!r} in this vault (members: "
        f"{', '.join(s.member_id for s in members[:12])})"
    )


def unlock(
    header: Header, passphrase: str, member: str | None = None, *, recovery: bool = False
) -> Unlocked:
    """Exactly one Argon2id run (the named slot's); WrongPassphraseError if it does not open."""
    if header.legacy is not None:
        return _unlock_legacy(header, passphrase, member, recovery)
    if recovery:  # the newest kit first; a second slot exists only mid-replacement
        for slot in recovery_slots(header):
            opened = _open_slot(header, slot, keyslots.normalise_code(passphrase))
            if opened is not None:
                return opened
        raise WrongPassphraseError("wrong recovery code")
    slot = find_slot(header, member)
    secret = keyslots.normalise_code(passphrase) if slot.must_change else passphrase
    opened = _open_slot(header, slot, secret)
    if opened is None:
        whose = "this vault" if len(header.members()) == 1 else f"member {slot.member_id!r}"
        raise WrongPassphraseError(f"wrong passphrase for {whose}")
    return opened


def _open_slot(header: Header, slot: Slot, secret: str) -> Unlocked | None:
    """One Argon2id run: the slot's key, then the master key sealed to it; None if wrong."""
    kek = derive_kek(secret, KdfParams(slot.memory_kib, slot.iterations, slot.lanes), slot.salt)
    private = keyslots.open_private(kek, header.vault_id, slot)
    if private is None:
        return None
    vmk = keyslots.open_envelope(private, header.vault_id, slot, header.key_epoch)
    if vmk is None:
        return None
    return Unlocked(
        slot.member_id, slot.display, slot.kind, slot.slot_id, slot.must_change, vmk, private, kek
    )


def _unlock_legacy(header: Header, passphrase: str, member: str | None, recovery: bool) -> Unlocked:
    legacy = header.legacy
    assert legacy is not None
    if recovery:
        raise MemberError("this vault has no recovery kit (make one: 'vault recovery-kit')")
    if member not in (None, OWNER):
        raise MemberError(
            f"no member named {str(member)[:40]!r} in this vault (members: {OWNER}; it has "
            "one passphrase, from before member slots)"
        )
    kek = derive_kek(passphrase, legacy.kdf, legacy.salt)
    try:
        vmk = AESGCM(kek).decrypt(legacy.nonce, legacy.wrapped_vmk, legacy.aad)
    except InvalidTag:
        raise WrongPassphraseError("wrong passphrase for this vault") from None
    return Unlocked(OWNER, OWNER_DISPLAY, "passphrase", "", False, vmk, b"", kek)


def reopen(header: Header, who: Unlocked) -> bytes | None:
    """The master key of another header (a rotation's intent) for the same unlocked slot,
    with no second Argon2id run; None if that slot is not in it or does not open."""
    if header.legacy is not None:
        try:
            return AESGCM(who.kek).decrypt(
                header.legacy.nonce, header.legacy.wrapped_vmk, header.legacy.aad
            )
        except InvalidTag:
            return None
    slot = next((s for s in header.slots if s.slot_id == who.slot_id), None)
    if slot is None or not who.private:
        return None
    return keyslots.open_envelope(who.private, header.vault_id, slot, header.key_epoch)


def unwrap_vmk(header: Header, passphrase: str, member: str | None = None) -> bytes:
    """The master key (one Argon2id run); WrongPassphraseError if the key does not open."""
    return unlock(header, passphrase, member).vmk


def migrated(header: Header, who: Unlocked, now: str) -> Header:
    """A format-1 header as format 2: one slot ``owner`` with the same passphrase, salt and
    KDF cost (the KEK just derived wraps the new slot key: no second derivation), epoch + 1."""
    legacy = header.legacy
    assert legacy is not None and who.kek
    slot = keyslots.new_slot(
        who.kek,
        header.vault_id,
        member_id=OWNER,
        display=OWNER_DISPLAY,
        kind="passphrase",
        added_at=now,
        kdf=(legacy.kdf.memory_kib, legacy.kdf.iterations, legacy.kdf.lanes),
        salt=legacy.salt,
    )
    return build_header(
        who.vmk,
        vault_id=header.vault_id,
        created_at=header.created_at,
        epoch=header.key_epoch + 1,
        slots=[slot],
        change="members_migrated",
        change_member=OWNER,
    )


def subkey(vmk: bytes, purpose: str) -> bytes:
    """HKDF-SHA256 subkey of the master key for one purpose."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"mockaudit/{purpose}/v1".encode()
    ).derive(vmk)


def _read_small(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(MAX_HEADER_BYTES + 1)


def read_header(folder: Path) -> Header:
    path = folder / KEY_FILE
    try:
        data = _read_small(path)
    except FileNotFoundError:
        raise InputError(
            f"no vault at {folder} (missing {KEY_FILE}); run 'mockaudit init'"
        ) from None
    return parse_header(data)


def write_header(folder: Path, header: Header) -> None:
    """Write vault.key.bak, then vault.key; the rename of vault.key is the commit point.

    The backup goes first so that every failure leaves vault.key — the file ``open``
    reads — as it was: the change did not happen and the old passphrase still opens
    (a backup left ahead of vault.key is rewritten by ``heal_backup`` at the next open).
    Nothing that can fail comes after the rename: the directory fsync that makes it
    durable is best effort, because once vault.key is replaced an error could no longer
    be undone on a failing disk, and reporting failure would be false. If that fsync
    failed and the power is then cut, the rename may be lost: the old header opens,
    which is still exactly one consistent header.
    """
    data = header.to_bytes()
    fsio.sweep_temps(folder, {KEY_FILE, BACKUP_FILE})  # an earlier failed write's
    fsio.atomic_write_bytes(folder / BACKUP_FILE, data)
    with fsio.atomic_writer(folder / KEY_FILE, sync_dir=False) as fh:
        fsio.ops().write(fh, data)
    with contextlib.suppress(OSError):
        fsio.ops().fsync_dir(folder)


def heal_backup(folder: Path, header: Header) -> None:
    """Make vault.key.bak a copy of ``header``, the header that just opened the vault.

    A failed or interrupted ``write_header`` can leave the backup missing or one header
    ahead; the error messages tell users to restore from it, so it must match. Call it
    only once the header is proven to belong to the database (key epoch checked). Best
    effort: a backup that cannot be written now is retried at the next writable open.
    """
    data = header.to_bytes()
    with contextlib.suppress(OSError):
        if (folder / BACKUP_FILE).read_bytes() == data:
            return
    with contextlib.suppress(OSError):
        fsio.atomic_write_bytes(folder / BACKUP_FILE, data)


def write_intent(folder: Path, header: Header) -> None:
    """Durably record the header a rotation moves to, before anything else changes."""
    fsio.sweep_temps(folder, {INTENT_FILE})
    fsio.atomic_write_bytes(folder / INTENT_FILE, header.to_bytes())


def read_intent(folder: Path) -> Header | None:
    """The pending rotation's header, None when there is none; HeaderDamagedError if unreadable."""
    try:
        data = _read_small(folder / INTENT_FILE)
    except FileNotFoundError:
        return None
    return parse_header(data, INTENT_FILE)


def has_intent(folder: Path) -> bool:
    return (folder / INTENT_FILE).exists()


def remove_intent(folder: Path) -> None:
    """The rotation is finished (or never committed): drop the intent, durably."""
    fsio.ops().unlink(folder / INTENT_FILE)
    fsio.ops().fsync_dir(folder)
