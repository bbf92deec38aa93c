"""Members of a vault: add, change a passphrase, remove (with a master-key rotation),
the recovery kit's slot, and the migration of a single-passphrase vault.

Two commit protocols, both crash-safe (tests/faults/test_crash_paths.py):

* A change to vault.key alone (add a member, a passphrase, the recovery kit, the format-1
  migration): the new header, one key epoch up, is written *inside* the transaction that
  records its custody event and the epoch; the rename of vault.key is the commit point.
  A kill between the rename and the COMMIT leaves vault.key one epoch ahead, and the next
  open records the header's own event (``rotation.catch_up_epoch``). Before the rename,
  the old vault.key stands: the change never happened, and was never acknowledged.
* Removing a member: their slot goes *and* the master key is rotated (rotation.py's
  write-ahead intent), so their copy of an old vault.key opens nothing written afterwards.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING, Any

from mockaudit.domain.members import Member
from mockaudit.errors import InputError, WrongPassphraseError
from mockaudit.vault import custody, db, keyfile, keyslots, rotation
from mockaudit.vault.keyfile import Header, KdfParams
from mockaudit.vault.keyslots import Slot

if TYPE_CHECKING:
    from mockaudit.vault.store import Vault


def members(header: Header) -> list[Member]:
    """Who has a slot (the recovery kit last), and who was removed."""
    if header.legacy is not None:  # read-only open of a vault not yet migrated
        return [Member(keyfile.OWNER, keyfile.OWNER_DISPLAY, "passphrase", header.created_at)]
    out = [
        Member(s.member_id, s.display, s.kind, s.added_at, pending=s.must_change)
        for s in sorted(header.slots, key=lambda s: (s.kind != "passphrase", s.added_at))
    ]
    out += [Member(r.member_id, r.display, "removed", r.removed_at) for r in header.removed]
    return out


def _now() -> str:
    return custody.now_utc().isoformat(timespec="seconds")


def _next_header(vault: Vault, slots: list[Slot], event: str, member: str) -> Header:
    return keyfile.build_header(
        vault.master_key,
        vault_id=vault.header.vault_id,
        created_at=vault.header.created_at,
        epoch=vault.header.key_epoch + 1,  # an old vault.key copy is recognisably old
        slots=slots,
        removed=vault.header.removed,
        change=event,
        change_member=member,
    )


def commit_header(vault: Vault, header: Header, **fields: Any) -> None:
    """vault.key becomes ``header`` with its custody event, atomically (see the module)."""
    vault.require_writer()
    with vault.mutex:
        written = False
        try:
            with db.atomic(vault.conn):
                rotation.set_epoch(vault.conn, header.key_epoch)
                custody.append(vault.conn, header.change, key_epoch=header.key_epoch, **fields)
                keyfile.write_header(vault.folder, header)
                written = True
        except BaseException:
            if written:  # the commit failed after vault.key changed: put the old one back
                with contextlib.suppress(OSError):
                    keyfile.write_header(vault.folder, vault.header)
            raise
        vault.header = header


def migrate(vault: Vault) -> None:
    """A format-1 vault.key (one passphrase) → format 2 with one slot named ``owner``."""
    legacy = vault.header.legacy
    assert legacy is not None
    header = keyfile.migrated(vault.header, vault.who, _now())
    commit_header(
        vault,
        header,
        purpose="vault.key gets member key slots: the passphrase is now member 'owner''s",
        member_id=keyfile.OWNER,
        from_format=keyfile.LEGACY_FORMAT,
        to_format=keyfile.HEADER_FORMAT,
    )


def add_member(
    vault: Vault,
    member_id: str,
    display: str,
    passphrase: str | None,
    *,
    kdf: KdfParams | None = None,
) -> str | None:
    """A slot for a new member; with no passphrase, a one-time enrolment code (returned)
    that opens only to let the member set their own passphrase."""
    _require_member(vault)
    keyslots.check_member_id(member_id)
    display = keyslots.check_display(display)
    if any(s.member_id == member_id for s in vault.header.members()):
        raise InputError(f"member {member_id!r} already has a key slot")
    code = keyslots.new_code() if passphrase is None else None
    secret = code or passphrase
    if not secret:
        raise InputError("the new member's passphrase is empty")
    slot = keyfile.passphrase_slot(
        secret,
        vault.header.vault_id,
        member_id=member_id,
        display=display,
        params=kdf or vault.header.kdf,
        added_at=_now(),
        must_change=code is not None,
    )
    header = _next_header(vault, [*vault.header.slots, slot], "member_added", member_id)
    commit_header(vault, header, member_id=member_id, display=display, enrolment=code is not None)
    return code


def set_passphrase(
    vault: Vault, member_id: str, passphrase: str, *, kdf: KdfParams | None = None
) -> None:
    """A new slot (new salt, new key pair) for ``member_id`` with ``passphrase``.

    Members change their own; a recovery-kit session sets any member's (that is what the
    kit is for)."""
    if not passphrase:
        raise InputError("the new passphrase is empty")
    who = vault.who
    if who.kind != "recovery" and member_id != who.member_id:
        raise InputError(
            f"only {member_id!r} can change their passphrase (or whoever holds the recovery kit)"
        )
    old = next((s for s in vault.header.members() if s.member_id == member_id), None)
    if old is None:
        raise InputError(f"no member named {member_id!r} in this vault")
    params = kdf or KdfParams(old.memory_kib, old.iterations, old.lanes)
    slot = keyfile.passphrase_slot(
        passphrase,
        vault.header.vault_id,
        member_id=member_id,
        display=old.display,
        params=params,
        added_at=old.added_at,
    )
    slots = [slot if s.slot_id == old.slot_id else s for s in vault.header.slots]
    header = _next_header(vault, slots, "passphrase_changed", member_id)
    commit_header(
        vault,
        header,
        member_id=member_id,
        kdf_memory_kib=params.memory_kib,
        via="recovery kit" if who.kind == "recovery" else "own passphrase",
    )


def add_recovery_slot(vault: Vault) -> tuple[str, str]:
    """Step 1 of a new recovery kit: a slot for a fresh high-entropy code, *beside* the
    previous kit's (which keeps working until the new page is written). Returns the code
    (shown once, never stored) and the new slot's id."""
    _require_member(vault)
    code = keyslots.new_code()
    slot = keyfile.passphrase_slot(
        code,
        vault.header.vault_id,
        member_id=keyslots.RECOVERY_MEMBER,
        display="Recovery kit",
        params=vault.header.kdf,
        added_at=_now(),
        kind="recovery",
    )
    # A second recovery slot exists only if an earlier attempt was cut off before it was
    # acknowledged; the older one is the kit last acknowledged: it stays, the other goes.
    unfinished = [s for s in vault.header.slots if s.kind == "recovery"][1:]
    kept = [s for s in vault.header.slots if s not in unfinished]
    header = _next_header(vault, [*kept, slot], "recovery_kit_created", keyslots.RECOVERY_MEMBER)
    commit_header(vault, header, slot_id=slot.slot_id)
    return code, slot.slot_id


def retire_other_recovery_slots(vault: Vault, keep: str) -> None:
    """Step 2, once the new kit's page is written: earlier kits stop working."""
    slots = [s for s in vault.header.slots if s.kind != "recovery" or s.slot_id == keep]
    if len(slots) == len(vault.header.slots):
        return
    header = _next_header(vault, slots, "recovery_kit_retired", keyslots.RECOVERY_MEMBER)
    commit_header(vault, header, kept_slot_id=keep)


def remove_member(vault: Vault, member_id: str) -> int:
    """Drop ``member_id``'s slot and rotate the master key; the new key epoch."""
    _require_member(vault)
    if member_id == vault.who.member_id:
        raise InputError("you cannot remove yourself; another member can")
    gone = next((s for s in vault.header.members() if s.member_id == member_id), None)
    if gone is None:
        raise InputError(f"no member named {member_id!r} in this vault")
    slots = [s for s in vault.header.slots if s.slot_id != gone.slot_id]
    removed = (*vault.header.removed, keyfile.Removed(member_id, gone.display, _now()))
    return _rotate(vault, slots, removed, "member_removed", member_id)


def rekey(vault: Vault, passphrase: str) -> int:
    """A new master key for the same members (the acting member's passphrase proves it)."""
    who = vault.who
    proof = keyfile.unlock(vault.header, passphrase, who.member_id, recovery=who.kind == "recovery")
    if proof.vmk != vault.master_key:
        raise WrongPassphraseError("wrong passphrase for this vault")
    return _rotate(vault, list(vault.header.slots), vault.header.removed, "key_rotated", "")


def _rotate(
    vault: Vault,
    slots: list[Slot],
    removed: tuple[keyfile.Removed, ...],
    change: str,
    member_id: str,
) -> int:
    """rotation.py's protocol: intent, one commit under the old key, rekey, promote."""
    vault.require_writer()
    with vault.mutex:
        old_header, old_vmk = vault.header, vault.master_key
        new_vmk = secrets.token_bytes(32)
        new_header = keyfile.build_header(
            new_vmk,
            vault_id=old_header.vault_id,
            created_at=old_header.created_at,
            epoch=old_header.key_epoch + 1,
            slots=slots,
            removed=removed,
            change=change,
            change_member=member_id,
        )
        keyfile.write_intent(vault.folder, new_header)  # step 1
        removal = {"member_id": member_id} if change == "member_removed" else None
        try:
            rotation.commit_rotation(
                vault.conn, old_header, new_header, old_vmk, new_vmk, removal=removal
            )
        except BaseException:
            with contextlib.suppress(OSError):
                keyfile.remove_intent(vault.folder)
            raise
        vault.use_master_key(new_header, new_vmk)  # committed: the session goes on keyed
        rotation.rekey_database(vault.conn, new_vmk)  # step 3
        vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rotation.promote(vault.folder, new_header)  # step 4
    return new_header.key_epoch


def _require_member(vault: Vault) -> None:
    if vault.who.kind != "passphrase" or vault.who.must_change:
        raise InputError("set a passphrase first ('mockaudit member passwd')")
