"""C2SP signed notes and tlog checkpoints, signed with Ed25519.

A checkpoint (origin, tree size, Merkle root) signed by the vault's key is what
gets copied *outside* the vault — into audit packages, reports, an auditor's
hands — so later tampering by someone holding the passphrase can be caught by a
consistency proof against it. The formats follow c2sp.org/signed-note and
c2sp.org/tlog-checkpoint byte for byte (and golang.org/x/mod/sumdb/note, whose
known answers the tests reproduce), so any transparency-log tool can check them.

Parsing is strict: anything malformed is a ProofError, never a best guess.
Caller mistakes (a bad key name or key) are InputError. Messages name keys by
name and key ID only, never by key bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from mockaudit.errors import InputError, ProofError

ED25519_TYPE = 0x01
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
ROOT_SIZE = 32
MAX_SIZE = 2**64 - 1  # tree sizes are uint64 in every tlog implementation
# The spec asks verifiers to accept at least 16 signatures; Go's note caps at 100.
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "  # em dash, space

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")

__all__ = [
    "Checkpoint",
    "checkpoint_text",
    "key_id",
    "fingerprint",
    "PIN_HEX_MIN",
    "open_note",
    "parse_checkpoint",
    "parse_verifier_key",
    "sign_note",
    "verifier_key",
]


# -------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head. Invalid values raise ProofError at construction."""

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or _CONTROL.search(self.origin):
            raise ProofError("checkpoint origin is empty or contains control characters")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise ProofError("checkpoint tree size is not an integer")
        if not 0 <= self.size <= MAX_SIZE:
            raise ProofError(f"checkpoint for {self.origin}: tree size {self.size} out of range")
        if not isinstance(self.root, bytes) or len(self.root) != ROOT_SIZE:
            raise ProofError(f"checkpoint for {self.origin}: root hash is not {ROOT_SIZE} bytes")


def checkpoint_text(cp: Checkpoint) -> str:
    """The note text: origin, decimal size, base64 root, each on its own line."""
    return f"{cp.origin}\n{cp.size}\n{_b64(cp.root)}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Strictly parse checkpoint text; ProofError on anything but the canonical form.

    Extension lines are rejected: mockaudit never writes them and the spec calls
    them NOT RECOMMENDED, so their presence means the text is not ours.
    """
    if not text.endswith("\n"):
        raise ProofError("checkpoint text does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise ProofError("checkpoint text must be three non-empty lines")
    if len(lines) > 3:
        raise ProofError("checkpoint has extension lines, which mockaudit does not accept")
    origin, size_text, root_text = lines
    if not _DECIMAL.fullmatch(size_text) or len(size_text) > 20:
        raise ProofError("checkpoint line 2: tree size is not a plain decimal number")
    root = _b64decode(root_text)
    if root is None:
        raise ProofError("checkpoint line 3: root hash is not canonical base64")
    return Checkpoint(origin, int(size_text), root)


# ----------------------------------------------------------------------- keys


def key_id(name: str, public_key: bytes) -> bytes:
    """First 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key): names the key in a note."""
    _check_name(name)
    _check_public_key(public_key)
    return _key_id(name, public_key)


def _key_id(name: str, public_key: bytes) -> bytes:
    data = name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_key
    return hashlib.sha256(data).digest()[:4]


PIN_HEX_MIN = 16
"""Hex digits of a key fingerprint a user may pin with (64 bits; the note's own 4-byte
key ID is a label, not a pin: 2^32 key pairs find a collision in hours)."""


def fingerprint(name: str, public_key: bytes) -> str:
    """The whole SHA-256 whose first 4 bytes are the key ID, as hex: what ``--key`` pins.
    Shown as its first 16 hex digits (which start with the 8 of the key ID)."""
    data = name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_key
    return hashlib.sha256(data).hexdigest()


def verifier_key(name: str, public_key: bytes) -> str:
    """The shareable verifier key ``name+keyid+base64(0x01 ‖ public key)``."""
    kid = key_id(name, public_key)
    return f"{name}+{kid.hex()}+{_b64(bytes([ED25519_TYPE]) + public_key)}"


def parse_verifier_key(vkey: str) -> tuple[str, bytes]:
    """(name, 32-byte Ed25519 public key) from a verifier key; InputError if malformed.

    The key ID is recomputed and must match, so a key pasted with a typo in
    any part is refused rather than silently trusted.
    """
    full_name, _, rest = vkey.partition("+")
    kid_hex, _, key_b64 = rest.partition("+")
    if not _valid_name(full_name):
        raise InputError("verifier key is malformed: bad key name")
    name = _quoted(full_name)  # as the messages below show it; the full name is returned
    if not _KEY_ID_HEX.fullmatch(kid_hex):
        raise InputError(f"verifier key for {name} is malformed: key ID is not 8 hex digits")
    raw = _b64decode(key_b64)
    if raw is None or not raw:
        raise InputError(f"verifier key for {name} is malformed: key is not canonical base64")
    if raw[0] != ED25519_TYPE:
        raise InputError(f"verifier key for {name}: unsupported signature type {raw[0]}")
    public_key = raw[1:]
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise InputError(f"verifier key for {name}: Ed25519 key is not {PUBLIC_KEY_SIZE} bytes")
    if _key_id(full_name, public_key).hex() != kid_hex:
        raise InputError(f"verifier key for {name}+{kid_hex}: key ID does not match the key")
    return full_name, public_key


def _quoted(name: str, limit: int = 60) -> str:
    """A key name as an error message quotes it: names have no length limit, messages do."""
    return name if len(name) <= limit else name[:limit] + "…"


# ---------------------------------------------------------------------- notes


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """``text`` followed by a blank line and one signature line by ``name``."""
    _check_name(name)
    if not text.endswith("\n"):
        raise InputError("note text to sign must end with a newline")
    body = _utf8_or_none(text)
    if body is None or _CONTROL.search(text):
        raise InputError("note text to sign must be UTF-8 without control characters")
    public_key = private_key.public_key().public_bytes_raw()
    signature = private_key.sign(body)
    line = f"{SIGNATURE_PREFIX}{name} {_b64(_key_id(name, public_key) + signature)}\n"
    return f"{text}\n{line}"


def open_note(note: str | bytes, name: str, public_key: bytes) -> str:
    """The note's text if a signature by key (name, public_key) verifies; ProofError otherwise.

    Signatures by other keys are ignored, as the spec requires (they may be
    witnesses or a rotated key). Every signature line by this key must verify,
    and a malformed note is rejected outright.
    """
    _check_name(name)
    verifier = _public_key(public_key)
    kid = _key_id(name, public_key)
    label = f"{name}+{kid.hex()}"
    text, lines = _split_note(note)
    body = text.encode("utf-8")
    verified = False
    for number, line in enumerate(lines, start=1):
        signer, sig_kid, signature = _parse_signature_line(line, number)
        if signer != name or sig_kid != kid:
            continue
        if len(signature) != SIGNATURE_SIZE:
            raise ProofError(f"signed note: signature by key {label} has the wrong length")
        try:
            verifier.verify(signature, body)
        except InvalidSignature:
            raise ProofError(f"signed note: signature by key {label} does not verify") from None
        verified = True
    if not verified:
        raise ProofError(f"signed note has no signature by key {label}")
    return text


def _split_note(note: str | bytes) -> tuple[str, list[str]]:
    """(text, signature lines); ProofError unless the note is well formed."""
    if isinstance(note, bytes):
        try:
            decoded = note.decode("utf-8")
        except UnicodeDecodeError:
            raise ProofError("signed note is not valid UTF-8") from None
    else:
        if _utf8_or_none(note) is None:
            raise ProofError("signed note is not valid UTF-8")
        decoded = note
    if _CONTROL.search(decoded):
        raise ProofError("signed note contains control characters")
    split = decoded.rfind("\n\n")
    if split < 0:
        raise ProofError("signed note has no blank line before its signatures")
    text, sigs = decoded[: split + 1], decoded[split + 2 :]
    if not sigs or not sigs.endswith("\n"):
        raise ProofError("signed note has no signature lines or lacks a final newline")
    lines = sigs[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise ProofError(f"signed note has more than {MAX_SIGNATURES} signatures")
    return text, lines


def _parse_signature_line(line: str, number: int) -> tuple[str, bytes, bytes]:
    """(key name, key ID, signature) of one ``— name base64`` line."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise ProofError(f"signed note: signature line {number} does not start with an em dash")
    signer, _, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    raw = _b64decode(b64)
    if not _valid_name(signer) or raw is None or len(raw) < 5:
        raise ProofError(f"signed note: signature line {number} is malformed")
    return signer, raw[:4], raw[4:]


# -------------------------------------------------------------------- helpers


def _valid_name(name: str) -> bool:
    """Non-empty, no Unicode space, no plus, no control character (C2SP key names)."""
    return (
        bool(name)
        and "+" not in name
        and not any(ch.isspace() for ch in name)
        and not _CONTROL.search(name)
        and _utf8_or_none(name) is not None
    )


def _check_name(name: str) -> None:
    if not _valid_name(name):
        raise InputError("key name must be non-empty, without spaces, '+' or control characters")


def _check_public_key(public_key: bytes) -> None:
    if not isinstance(public_key, bytes) or len(public_key) != PUBLIC_KEY_SIZE:
        raise InputError(f"Ed25519 public key must be {PUBLIC_KEY_SIZE} bytes")


def _public_key(public_key: bytes) -> Ed25519PublicKey:
    _check_public_key(public_key)
    try:
        return Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise InputError("Ed25519 public key is not a valid key") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """Strict standard base64: alphabet, padding and canonical trailing bits, else None."""
    if not text or not text.isascii():
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if _b64(raw) == text else None


def _utf8_or_none(text: str) -> bytes | None:
    """UTF-8 bytes of ``text``, or None if it holds lone surrogates (not valid UTF-8)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None
