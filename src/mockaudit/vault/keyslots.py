"""Key slots: one per member (and one per recovery kit), each opening the same master key.

A slot holds (vault-security.md §4.3, with LUKS-style slots and 1Password-style member keys)::

    passphrase --Argon2id(slot kdf, slot salt)--> KEK
    KEK --AES-256-GCM(aad: vault, slot, member, kind, kdf, public)--> member's X25519 private key
    X25519(private, envelope's ephemeral public) --HKDF--> wrap key
    wrap key --AES-256-GCM(aad: vault, slot, member, key epoch)--> master key (VMK)

Why a key pair rather than the KEK wrapping the master key directly: removing a member
rotates the master key (rotation.py), and the new master key must reach every other
member without their passphrases. Sealing it to each slot's public key does exactly
that; the removed member's old header and passphrase still open their old private key,
but nothing sealed afterwards was sealed to it. Unlocking stays one Argon2id run: the
member names their slot, so only that slot's KDF runs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mockaudit.errors import InputError

KINDS = ("passphrase", "recovery")
RECOVERY_MEMBER = "recovery"
"""The member id of the recovery kit's slot (reserved: no person can take it)."""

MEMBER_ID = re.compile(r"[a-z][a-z0-9._-]{0,31}")
MAX_DISPLAY = 80


def check_member_id(member_id: str) -> str:
    """A member id: lower-case letters, digits, ``.``, ``_``, ``-``; starts with a letter."""
    if not MEMBER_ID.fullmatch(member_id) or member_id == RECOVERY_MEMBER:
        raise InputError(
            f"member name {member_id[:40]!r} is not allowed: use 1-32 lower-case letters, "
            "digits, '.', '_' or '-', starting with a letter ('recovery' is reserved)"
        )
    return member_id


def check_display(display: str) -> str:
    text = " ".join(display.split())
    if not text or len(text) > MAX_DISPLAY or not text.isprintable():
        raise InputError(f"a display name is 1-{MAX_DISPLAY} printable characters")
    return text


@dataclass(frozen=True)
class Envelope:
    """The master key sealed to one slot's public key for one key epoch."""

    ephemeral: bytes  # 32-byte X25519 public key
    nonce: bytes  # 12
    sealed: bytes  # 48: the 32-byte master key + GCM tag


@dataclass(frozen=True)
class Slot:
    slot_id: str  # 16 hex digits, random
    member_id: str
    display: str
    kind: str  # "passphrase" | "recovery"
    added_at: str
    must_change: bool  # an enrolment code: the member sets a passphrase before anything else
    memory_kib: int
    iterations: int
    lanes: int
    salt: bytes  # 16
    key_nonce: bytes  # 12
    wrapped_key: bytes  # 48: the X25519 private key + GCM tag
    public: bytes  # 32
    envelope: Envelope

    def key_aad(self, vault_id: str) -> bytes:
        """What the private key's wrapping binds: change any of it and the unwrap fails."""
        return _canonical(
            {
                "vault_id": vault_id,
                "slot_id": self.slot_id,
                "member_id": self.member_id,
                "kind": self.kind,
                "kdf": [self.memory_kib, self.iterations, self.lanes, self.salt.hex()],
                "public": self.public.hex(),
            }
        )


def envelope_aad(vault_id: str, slot: Slot, epoch: int) -> bytes:
    """The master key's sealing binds vault id, slot id, member id and the key epoch."""
    return _canonical(
        {
            "vault_id": vault_id,
            "slot_id": slot.slot_id,
            "member_id": slot.member_id,
            "key_epoch": epoch,
            "public": slot.public.hex(),
        }
    )


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _wrap_key(shared: bytes, ephemeral: bytes, public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + public,
        info=b"mockaudit/slot-wrap/v1",
    ).derive(shared)


def seal(vmk: bytes, vault_id: str, slot: Slot, epoch: int) -> Slot:
    """``slot`` with the master key sealed to its public key for ``epoch`` (no passphrase)."""
    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes_raw()
    shared = eph.exchange(X25519PublicKey.from_public_bytes(slot.public))
    nonce = os.urandom(12)
    key = _wrap_key(shared, eph_pub, slot.public)
    sealed = AESGCM(key).encrypt(nonce, vmk, envelope_aad(vault_id, slot, epoch))
    return replace(slot, envelope=Envelope(eph_pub, nonce, sealed))


def open_envelope(private: bytes, vault_id: str, slot: Slot, epoch: int) -> bytes | None:
    """The master key from ``slot``'s envelope, or None if it does not open with ``private``."""
    try:
        me = X25519PrivateKey.from_private_bytes(private)
        if me.public_key().public_bytes_raw() != slot.public:
            return None
        shared = me.exchange(X25519PublicKey.from_public_bytes(slot.envelope.ephemeral))
        key = _wrap_key(shared, slot.envelope.ephemeral, slot.public)
        return AESGCM(key).decrypt(
            slot.envelope.nonce, slot.envelope.sealed, envelope_aad(vault_id, slot, epoch)
        )
    except (InvalidTag, ValueError):
        return None


def new_slot(
    kek: bytes,
    vault_id: str,
    *,
    member_id: str,
    display: str,
    kind: str,
    added_at: str,
    kdf: tuple[int, int, int],
    salt: bytes,
    must_change: bool = False,
    private: bytes | None = None,
) -> Slot:
    """A slot whose private key (fresh unless given) is wrapped under ``kek``; not yet sealed."""
    key = X25519PrivateKey.from_private_bytes(private) if private else X25519PrivateKey.generate()
    draft = Slot(
        slot_id=secrets.token_hex(8),
        member_id=member_id,
        display=display,
        kind=kind,
        added_at=added_at,
        must_change=must_change,
        memory_kib=kdf[0],
        iterations=kdf[1],
        lanes=kdf[2],
        salt=salt,
        key_nonce=os.urandom(12),
        wrapped_key=b"",
        public=key.public_key().public_bytes_raw(),
        envelope=Envelope(b"", b"", b""),
    )
    raw = key.private_bytes_raw()
    wrapped = AESGCM(kek).encrypt(draft.key_nonce, raw, draft.key_aad(vault_id))
    return replace(draft, wrapped_key=wrapped)


def open_private(kek: bytes, vault_id: str, slot: Slot) -> bytes | None:
    """The slot's private key under ``kek``, or None (wrong passphrase or tampered slot)."""
    try:
        return AESGCM(kek).decrypt(slot.key_nonce, slot.wrapped_key, slot.key_aad(vault_id))
    except (InvalidTag, ValueError):
        return None


# ----- recovery codes -----

_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_GROUPS = 6
CODE_GROUP_LEN = 5  # 30 symbols × 5 bits = 150 bits


def new_code() -> str:
    """A recovery (or enrolment) code: 150 random bits as six groups of five symbols."""
    symbols = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return "-".join(symbols[i : i + CODE_GROUP_LEN] for i in range(0, len(symbols), CODE_GROUP_LEN))


def normalise_code(text: str) -> str:
    """What a person typed, as the code: case, spaces and dashes ignored, O→0, I/L→1."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    raw = raw.translate(str.maketrans("OIL", "011"))
    if len(raw) != CODE_GROUPS * CODE_GROUP_LEN:
        return text  # not code-shaped: compared as typed (it will not open the slot)
    return "-".join(raw[i : i + CODE_GROUP_LEN] for i in range(0, len(raw), CODE_GROUP_LEN))
