"""The vault header (``vault.key``): Argon2id parameters, the wrapped master key, a checksum.

Key hierarchy (vault-security.md §4.3)::

    passphrase --Argon2id(params, salt)--> KEK --AES-256-GCM--> VMK (random 32 bytes)
    VMK --HKDF("mockaudit/sqlcipher/v1")--> raw SQLCipher key
    VMK --HKDF("mockaudit/dek-wrap/v1")---> wraps each blob's data key
    VMK --HKDF("mockaudit/sign-wrap/v1")--> wraps the Ed25519 custody signing key

The header is canonical JSON with a plain SHA-256 ``checksum`` over every other
field: a damaged header fails the checksum (HeaderDamagedError) before any key is
derived, while an intact header whose wrapped key will not open means a wrong
passphrase (WrongPassphraseError). The KDF parameters are bound into the AEAD's
associated data and capped on read, so a crafted header can neither be
downgraded silently nor demand gigabytes of memory.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mockaudit import fsio
from mockaudit.errors import HeaderDamagedError, InputError, WrongPassphraseError
from mockaudit.paths import KEY_FILE as KEY_FILE

HEADER_FORMAT = "mockaudit.vault-key/1"
BACKUP_FILE = "vault.key.bak"
INTENT_FILE = "vault.key.next"
"""The header a master-key rotation is moving to; present only while one is under way
(write-ahead intent: see rotation.py)."""

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
class Header:
    vault_id: str
    created_at: str
    key_epoch: int
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped_vmk: bytes

    def body(self) -> dict[str, Any]:
        return {
            "format": HEADER_FORMAT,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "key_epoch": self.key_epoch,
            "kdf": {
                "alg": "argon2id",
                "memory_kib": self.kdf.memory_kib,
                "iterations": self.kdf.iterations,
                "lanes": self.kdf.lanes,
                "salt": _b64(self.salt),
            },
            "wrap": {
                "alg": "aes-256-gcm",
                "nonce": _b64(self.nonce),
                "vmk": _b64(self.wrapped_vmk),
            },
        }

    def associated_data(self) -> bytes:
        """Everything but the wrapped key itself: tampering with parameters breaks the unwrap."""
        body = self.body()
        del body["wrap"]
        return canonical_json(body)

    def to_bytes(self) -> bytes:
        body = self.body()
        body["checksum"] = hashlib.sha256(canonical_json(body)).hexdigest()
        return canonical_json(body) + b"\n"


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


def parse_header(data: bytes, name: str = KEY_FILE) -> Header:
    """Parse and checksum-verify a header; HeaderDamagedError on any inconsistency."""
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
        if doc.get("format") != HEADER_FORMAT:
            raise HeaderDamagedError(f"{name} has an unknown format; this mockaudit cannot open it")
        kdf = doc["kdf"]
        wrap = doc["wrap"]
        header = Header(
            vault_id=str(doc["vault_id"]),
            created_at=str(doc["created_at"]),
            key_epoch=int(doc["key_epoch"]),
            kdf=KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"])),
            salt=_unb64(kdf["salt"], 16),
            nonce=_unb64(wrap["nonce"], 12),
            wrapped_vmk=_unb64(wrap["vmk"], 48),
        )
    except HeaderDamagedError:
        raise
    # OverflowError: int() of an Infinity; RecursionError: a deeply nested document.
    # A crafted or damaged file must read as "damaged", never as a traceback.
    except (
        ValueError,
        KeyError,
        TypeError,
        UnicodeDecodeError,
        binascii.Error,
        OverflowError,
        RecursionError,
    ) as exc:
        raise damaged from exc
    try:
        header.kdf.check()
    except InputError as exc:
        raise HeaderDamagedError(f"{name} asks for unsafe key-derivation parameters") from exc
    return header


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


def new_header(
    passphrase: str, vmk: bytes, *, vault_id: str, created_at: str, params: KdfParams, epoch: int
) -> Header:
    params.check()
    salt = os.urandom(16)
    nonce = os.urandom(12)
    draft = Header(vault_id, created_at, epoch, params, salt, nonce, b"\0" * 48)
    kek = derive_kek(passphrase, params, salt)
    wrapped = AESGCM(kek).encrypt(nonce, vmk, draft.associated_data())
    return Header(vault_id, created_at, epoch, params, salt, nonce, wrapped)


def unwrap_vmk(header: Header, passphrase: str) -> bytes:
    """One Argon2id run; WrongPassphraseError if the key does not open."""
    kek = derive_kek(passphrase, header.kdf, header.salt)
    try:
        return AESGCM(kek).decrypt(header.nonce, header.wrapped_vmk, header.associated_data())
    except InvalidTag:
        raise WrongPassphraseError("wrong passphrase for this vault") from None


def subkey(vmk: bytes, purpose: str) -> bytes:
    """HKDF-SHA256 subkey of the master key for one purpose."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"mockaudit/{purpose}/v1".encode()
    ).derive(vmk)


MAX_HEADER_BYTES = 64 * 1024
"""A header is < 1 KiB; anything past this is not one (read no further)."""


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
