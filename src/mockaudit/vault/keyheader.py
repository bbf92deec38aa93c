"""The bytes of ``vault.key``: its dataclasses, its canonical JSON and a strict parser.

Format 2 (key slots, keyslots.py) is written; format 1 (one passphrase, before key slots)
is still read, as a ``Header`` whose ``legacy`` part holds the old single wrap. Every
inconsistency reads as HeaderDamagedError, one line, never a traceback (fuzzed in
tests/fuzz). keyfile.py derives, unlocks and writes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from mockaudit.errors import HeaderDamagedError, InputError
from mockaudit.paths import KEY_FILE
from mockaudit.vault import keyslots
from mockaudit.vault.keyslots import Envelope, Slot

HEADER_FORMAT = "mockaudit.vault-key/2"
LEGACY_FORMAT = "mockaudit.vault-key/1"  # one passphrase, before key slots (migrated on open)
OWNER = "owner"
OWNER_DISPLAY = "Owner"
MAX_SLOTS = 64
MAX_RECOVERY_SLOTS = 2  # the current kit and, while a new one is made, the previous
BACKUP_FILE = "vault.key.bak"
MAX_HEADER_BYTES = 64 * 1024
"""A header is a few KiB; anything past this is not one (read no further)."""

# Ceilings enforced on read (age rejects absurd work factors the same way).
MAX_MEMORY_KIB = 4 * 1024 * 1024  # 4 GiB
MAX_ITERATIONS = 20
MAX_LANES = 16
MIN_MEMORY_KIB = 8 * 1024  # 8 MiB: below this the header is not one we wrote


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. Default ≈0.4 s on a 2-core machine (vault-security.md §3.3)."""

    memory_kib: int = 128 * 1024
    iterations: int = 3
    lanes: int = 1

    def check(self) -> None:
        if not MIN_MEMORY_KIB <= self.memory_kib <= MAX_MEMORY_KIB:
            raise InputError(
                f"Argon2id memory must be between {MIN_MEMORY_KIB // 1024} MiB and "
                f"{MAX_MEMORY_KIB // 1024} MiB"
            )
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise InputError(f"Argon2id iterations must be between 1 and {MAX_ITERATIONS}")
        if not 1 <= self.lanes <= MAX_LANES:
            raise InputError(f"Argon2id lanes must be between 1 and {MAX_LANES}")


@dataclass(frozen=True)
class Removed:
    """A member whose slot was removed: kept so their next attempt is told so, plainly."""

    member_id: str
    display: str
    removed_at: str


@dataclass(frozen=True)
class Legacy:
    """A single-passphrase header (format 1, before key slots), as read from disk."""

    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped_vmk: bytes
    aad: bytes
    raw: bytes


@dataclass(frozen=True)
class Header:
    vault_id: str
    created_at: str
    key_epoch: int
    slots: tuple[Slot, ...]
    removed: tuple[Removed, ...] = ()
    change: str = ""  # the custody event that wrote this header (for an interrupted change)
    change_member: str = ""
    legacy: Legacy | None = None

    @property
    def kdf(self) -> KdfParams:
        """The KDF cost of the owner's (else the first passphrase) slot."""
        if self.legacy is not None:
            return self.legacy.kdf
        slot = next((s for s in self.slots if s.member_id == OWNER), None) or next(
            (s for s in self.slots if s.kind == "passphrase"), self.slots[0]
        )
        return KdfParams(slot.memory_kib, slot.iterations, slot.lanes)

    def members(self) -> tuple[Slot, ...]:
        return tuple(s for s in self.slots if s.kind == "passphrase")

    def body(self) -> dict[str, Any]:
        return {
            "format": HEADER_FORMAT,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "key_epoch": self.key_epoch,
            "change": {"event": self.change, "member_id": self.change_member},
            "removed": [
                {"member_id": r.member_id, "display": r.display, "removed_at": r.removed_at}
                for r in self.removed
            ],
            "slots": [_slot_body(s) for s in self.slots],
        }

    def to_bytes(self) -> bytes:
        if self.legacy is not None:
            return self.legacy.raw
        body = self.body()
        body["checksum"] = hashlib.sha256(canonical_json(body)).hexdigest()
        return canonical_json(body) + b"\n"


def _slot_body(s: Slot) -> dict[str, Any]:
    return {
        "slot_id": s.slot_id,
        "member_id": s.member_id,
        "display": s.display,
        "kind": s.kind,
        "added_at": s.added_at,
        "must_change": s.must_change,
        "kdf": {
            "alg": "argon2id",
            "memory_kib": s.memory_kib,
            "iterations": s.iterations,
            "lanes": s.lanes,
            "salt": _b64(s.salt),
        },
        "key": {
            "alg": "x25519+aes-256-gcm",
            "public": _b64(s.public),
            "nonce": _b64(s.key_nonce),
            "wrapped": _b64(s.wrapped_key),
        },
        "vmk": {
            "alg": "x25519-hkdf-sha256+aes-256-gcm",
            "ephemeral": _b64(s.envelope.ephemeral),
            "nonce": _b64(s.envelope.nonce),
            "sealed": _b64(s.envelope.sealed),
        },
    }


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, size: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    raw = base64.b64decode(text, validate=True)
    if size is not None and len(raw) != size:
        raise ValueError("wrong length")
    return raw


def _text(value: Any, limit: int = 200) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError("not a short string")
    return value


def parse_header(data: bytes, name: str = KEY_FILE) -> Header:
    """Parse and checksum-verify a header (format 1 or 2); HeaderDamagedError if inconsistent."""
    damaged = HeaderDamagedError(
        f"{name} is damaged (checksum or format); restore it from {BACKUP_FILE} or your backup"
    )
    if len(data) > MAX_HEADER_BYTES:
        raise damaged
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict):
            raise ValueError("not an object")
        checksum = doc.pop("checksum")
        if hashlib.sha256(canonical_json(doc)).hexdigest() != checksum:
            raise damaged
        if doc.get("format") == LEGACY_FORMAT:
            header = _parse_legacy(doc, data)
        elif doc.get("format") == HEADER_FORMAT:
            header = _parse_slots(doc)
        else:
            raise HeaderDamagedError(f"{name} has an unknown format; this mockaudit cannot open it")
    except HeaderDamagedError:
        raise
    # OverflowError: int() of an Infinity; RecursionError: a deeply nested document.
    # A crafted or damaged file must read as "damaged", never as a traceback.
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        UnicodeDecodeError,
        binascii.Error,
        OverflowError,
        RecursionError,
    ) as exc:
        raise damaged from exc
    try:
        header.kdf.check()
        for slot in header.slots:
            KdfParams(slot.memory_kib, slot.iterations, slot.lanes).check()
    except InputError as exc:
        raise HeaderDamagedError(f"{name} asks for unsafe key-derivation parameters") from exc
    return header


def _parse_legacy(doc: dict[str, Any], raw: bytes) -> Header:
    kdf, wrap = doc["kdf"], doc["wrap"]
    aad_doc = dict(doc)
    del aad_doc["wrap"]
    legacy = Legacy(
        kdf=KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"])),
        salt=_unb64(kdf["salt"], 16),
        nonce=_unb64(wrap["nonce"], 12),
        wrapped_vmk=_unb64(wrap["vmk"], 48),
        aad=canonical_json(aad_doc),
        raw=raw,
    )
    return Header(
        vault_id=str(doc["vault_id"]),
        created_at=str(doc["created_at"]),
        key_epoch=int(doc["key_epoch"]),
        slots=(),
        legacy=legacy,
    )


def _parse_slots(doc: dict[str, Any]) -> Header:
    slots = tuple(_parse_slot(s) for s in doc["slots"][: MAX_SLOTS + 1])
    if not slots or len(slots) > MAX_SLOTS:
        raise ValueError("no slots, or too many")
    if len({s.slot_id for s in slots}) != len(slots):
        raise ValueError("duplicate slot id")
    people = [s.member_id for s in slots if s.kind == "passphrase"]
    if len(set(people)) != len(people):
        raise ValueError("two slots for one member")
    if len(slots) - len(people) > MAX_RECOVERY_SLOTS:
        raise ValueError("too many recovery slots")
    if not any(s.kind == "passphrase" for s in slots):
        raise ValueError("no member slot")
    change = doc["change"]
    removed = tuple(
        Removed(_text(r["member_id"]), _text(r["display"]), _text(r["removed_at"]))
        for r in doc["removed"][:1000]
    )
    return Header(
        vault_id=_text(doc["vault_id"]),
        created_at=_text(doc["created_at"]),
        key_epoch=int(doc["key_epoch"]),
        slots=slots,
        removed=removed,
        change=_text(change["event"]),
        change_member=_text(change["member_id"]),
    )


def _parse_slot(s: dict[str, Any]) -> Slot:
    kdf, key, vmk = s["kdf"], s["key"], s["vmk"]
    kind = _text(s["kind"])
    member = _text(s["member_id"])
    if kind not in keyslots.KINDS or (kind == "recovery") != (member == keyslots.RECOVERY_MEMBER):
        raise ValueError("bad slot kind")
    if kind == "passphrase":
        try:
            keyslots.check_member_id(member)
        except InputError:
            raise ValueError("bad member id") from None  # a crafted header: damaged
    slot_id = _text(s["slot_id"])
    if len(slot_id) != 16 or any(c not in "0123456789abcdef" for c in slot_id):
        raise ValueError("bad slot id")
    must_change = s["must_change"]
    if not isinstance(must_change, bool) or kdf["alg"] != "argon2id":
        raise ValueError("bad slot")
    return Slot(
        slot_id=slot_id,
        member_id=member,
        display=_text(s["display"]),
        kind=kind,
        added_at=_text(s["added_at"]),
        must_change=must_change,
        memory_kib=int(kdf["memory_kib"]),
        iterations=int(kdf["iterations"]),
        lanes=int(kdf["lanes"]),
        salt=_unb64(kdf["salt"], 16),
        key_nonce=_unb64(key["nonce"], 12),
        wrapped_key=_unb64(key["wrapped"], 48),
        public=_unb64(key["public"], 32),
        envelope=Envelope(
            _unb64(vmk["ephemeral"], 32), _unb64(vmk["nonce"], 12), _unb64(vmk["sealed"], 48)
        ),
    )
