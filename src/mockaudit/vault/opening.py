"""What an unlock must check before the vault is used: codes that only set a passphrase,
and a vault.key that opened but does not fit vault.db (an old copy, named as such)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from mockaudit.errors import IntegrityError, MemberError
from mockaudit.vault import db, keyfile


def refuse_codes(who: keyfile.Unlocked, setting_passphrase: bool) -> None:
    """A recovery or enrolment code opens the vault only to set a passphrase."""
    if setting_passphrase:
        return
    if who.kind == "recovery":
        raise MemberError(
            "a recovery code only sets a new passphrase: run 'mockaudit member passwd "
            "--recovery --member NAME'"
        )
    if who.must_change:
        raise MemberError(
            f"member {who.member_id!r} must choose a passphrase first: run 'mockaudit member "
            f"passwd --member {who.member_id}' and type the enrolment code as the passphrase"
        )


def connect(path: Path, vmk: bytes, header: keyfile.Header, *, tolerate: bool) -> db.Connection:
    """The database under ``vmk``; a vault.key that opened but does not fit vault.db is
    named as what it most likely is (an old copy) rather than as damage."""
    try:
        return db.connect(path, keyfile.subkey(vmk, "sqlcipher"), tolerate_damage=tolerate)
    except IntegrityError:
        newer: keyfile.Header | None = None
        with contextlib.suppress(OSError, IntegrityError):
            newer = keyfile.parse_header((path.parent / keyfile.BACKUP_FILE).read_bytes())
        if newer is None or newer.vault_id != header.vault_id:
            raise
        if newer.key_epoch <= header.key_epoch:
            raise
        raise IntegrityError(
            f"vault.key is an old copy (key epoch {header.key_epoch}; the vault is at "
            f"{newer.key_epoch}): a member removal or key rotation replaced it"
        ) from None
