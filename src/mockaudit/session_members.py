"""Members, passphrases and the recovery kit: the use cases behind ``mockaudit member`` and
``vault recovery-kit``, and the member an unlock is for (``resolve_member``)."""

from __future__ import annotations

import os
from pathlib import Path

from mockaudit import fsio, member_memory
from mockaudit.domain.members import Member
from mockaudit.errors import MockauditError
from mockaudit.export.recovery_kit import render_kit
from mockaudit.session_base import SessionBase, translated
from mockaudit.vault import custody, keyfile, membership
from mockaudit.vault.keyfile import KdfParams


def resolve_member(folder: Path, member: str | None) -> str | None:
    """Who unlocks: ``--member``, else $MOCKAUDIT_MEMBER, else whom this user last
    unlocked this vault as; None lets a one-member vault pick its only member."""
    if member:
        return member
    env = os.environ.get(keyfile.MEMBER_ENV, "").strip()
    if env:
        return env
    try:
        vault_id = keyfile.read_header(Path(folder)).vault_id
    except (OSError, MockauditError):
        return None  # the open that follows reports it
    return member_memory.recall(vault_id)


def member_hint(member: str | None, who: str | None) -> str | None:
    """Where an unlock's member came from when nobody typed it (for a wrong-passphrase
    line: the passphrase may be right for another member), or None."""
    if member or not who:
        return None
    if os.environ.get(keyfile.MEMBER_ENV, "").strip():
        return f"member {who!r} from ${keyfile.MEMBER_ENV}; --member NAME picks another"
    return f"member {who!r} is whom you last unlocked this vault as; --member NAME picks another"


class MemberSession(SessionBase):
    """What a member can do about who else may unlock the vault."""

    def me(self) -> Member:
        who = self.vault.who
        return Member(who.member_id, who.display, who.kind, "", pending=who.must_change)

    def members(self) -> list[Member]:
        return membership.members(self.vault.header)

    def remember_member(self) -> None:
        """On a team vault, this user unlocks as this member next time too (best effort; a
        one-member vault needs no name, so nothing is written for it)."""
        if self.vault.who.kind == "passphrase" and len(self.vault.header.members()) > 1:
            member_memory.remember(self.vault.header.vault_id, self.vault.who.member_id)

    def add_member(
        self,
        member_id: str,
        display: str,
        passphrase: str | None,
        *,
        kdf: KdfParams | None = None,
    ) -> str | None:
        """A slot for a new member; without a passphrase, the one-time enrolment code."""
        with translated(f"adding member {member_id}"):
            code = membership.add_member(self.vault, member_id, display, passphrase, kdf=kdf)
        self.remember_member()  # now a team vault: you are still you next time
        return code

    def remove_member(self, member_id: str) -> int:
        """Remove a member's slot and rotate the master key; the new key epoch."""
        with translated(f"removing member {member_id}"):
            return membership.remove_member(self.vault, member_id)

    def set_member_passphrase(self, new_passphrase: str, member_id: str | None = None) -> None:
        """A new passphrase for the acting member (or, with the recovery kit, any member)."""
        target = member_id or self.vault.who.member_id
        with translated(f"changing the passphrase of {target}"):
            membership.set_passphrase(self.vault, target, new_passphrase)

    def write_recovery_kit(self, out: Path) -> str:
        """A new recovery kit: its slot, then its printable page, then earlier kits retired.
        Returns the code (shown once; never stored). Until the page is durably written the
        previous kit keeps working, so a failure or a kill anywhere never leaves the vault
        with only a kit whose code nobody saw."""
        out = Path(out)
        with translated(f"writing the recovery kit to {out}"):
            code, slot_id = membership.add_recovery_slot(self.vault)
            page = render_kit(
                self.vault.header.vault_id,
                code,
                custody.now_utc().isoformat(timespec="seconds"),
                self.me().label,
            )
            fsio.sweep_temps(out.parent, {out.name})
            fsio.atomic_write_bytes(out, page.encode("utf-8"))  # 0600, like every temp file
            membership.retire_other_recovery_slots(self.vault, slot_id)
        return code
