"""Signed notes and checkpoints: Go sumdb/note known answers, then tampering.

Known answers are from golang.org/x/mod/sumdb/note (note.go docs and
note_test.go): the PeterNeumann key, its signer key, and the exact signed note
it produces (Ed25519 is deterministic, so we must reproduce it byte for byte).
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mockaudit.errors import InputError, ProofError
from mockaudit.vault.merkle import EMPTY_ROOT
from mockaudit.vault.signed_note import (
    Checkpoint,
    checkpoint_text,
    key_id,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    sign_note,
    verifier_key,
)

PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    "qfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTG"
    "wnWLox33WWd1RvMc+QQ=\n"
)
SIGNED = TEXT + "\n" + PETER_SIG


def peter_private() -> Ed25519PrivateKey:
    raw = base64.b64decode(PETER_SKEY.split("+", 4)[4])
    assert raw[0] == 1  # Ed25519 signer key: type byte then the 32-byte seed
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


PETER_NAME, PETER_PUB = "PeterNeumann", peter_private().public_key().public_bytes_raw()
ENOCH_NAME, ENOCH_PUB = parse_verifier_key(ENOCH_VKEY)


# --------------------------------------------------------------- known answers


def test_key_id_and_verifier_key_match_go_sumdb_note() -> None:
    assert key_id(PETER_NAME, PETER_PUB).hex() == "c74f20a3"
    assert (
        key_id(PETER_NAME, PETER_PUB)
        == (hashlib.sha256(b"PeterNeumann\n\x01" + PETER_PUB).digest()[:4])
    )
    assert verifier_key(PETER_NAME, PETER_PUB) == PETER_VKEY
    assert parse_verifier_key(PETER_VKEY) == (PETER_NAME, PETER_PUB)
    assert key_id(ENOCH_NAME, ENOCH_PUB).hex() == "af0cfe78"


def test_signing_reproduces_the_go_signed_note_byte_for_byte() -> None:
    assert sign_note(TEXT, PETER_NAME, peter_private()) == SIGNED


def test_known_signed_note_opens() -> None:
    assert open_note(SIGNED, PETER_NAME, PETER_PUB) == TEXT
    assert open_note(SIGNED.encode("utf-8"), PETER_NAME, PETER_PUB) == TEXT


def test_unknown_cosigner_is_ignored_and_each_known_key_verifies() -> None:
    both = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(both, PETER_NAME, PETER_PUB) == TEXT
    assert open_note(both, ENOCH_NAME, ENOCH_PUB) == TEXT
    assert open_note(TEXT + "\n" + ENOCH_SIG + PETER_SIG, PETER_NAME, PETER_PUB) == TEXT


def test_repeated_signatures_are_accepted_when_all_verify() -> None:
    note = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG
    assert open_note(note, PETER_NAME, PETER_PUB) == TEXT


# ------------------------------------------------------------------ tampering


def test_changed_text_is_rejected() -> None:
    tampered = SIGNED.replace("answer", "answers")
    with pytest.raises(ProofError, match=r"PeterNeumann\+c74f20a3 does not verify"):
        open_note(tampered, PETER_NAME, PETER_PUB)


@pytest.mark.parametrize("bit", [0, 7, 4 * 8 + 5, 4 * 8 + 63 * 8 + 7])
def test_flipped_signature_bit_is_rejected(bit: int) -> None:
    b64 = PETER_SIG.split(" ")[2].strip()
    raw = bytearray(base64.b64decode(b64))
    raw[bit // 8] ^= 1 << (bit % 8)
    note = TEXT + "\n\u2014 PeterNeumann " + base64.b64encode(bytes(raw)).decode() + "\n"
    # A flip in the key ID makes it someone else's (ignored) signature: then none is ours.
    with pytest.raises(ProofError, match="does not verify|no signature by key"):
        open_note(note, PETER_NAME, PETER_PUB)


def test_signature_inserted_into_base64_is_rejected() -> None:
    b64 = PETER_SIG.split(" ")[2]
    note = TEXT + "\n\u2014 PeterNeumann " + b64[:60] + "ABCD" + b64[60:]
    with pytest.raises(ProofError, match="wrong length|does not verify"):
        open_note(note, PETER_NAME, PETER_PUB)


def test_wrong_key_is_rejected() -> None:
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(ProofError, match="no signature by key PeterNeumann"):
        open_note(SIGNED, PETER_NAME, other)
    with pytest.raises(ProofError, match="no signature by key EnochRoot"):
        open_note(SIGNED, ENOCH_NAME, ENOCH_PUB)
    # Same key, other name: a different key ID, so also not ours.
    with pytest.raises(ProofError, match="no signature"):
        open_note(SIGNED, "PeterNeumann2", PETER_PUB)


def test_signer_with_our_name_and_id_but_another_key_is_rejected() -> None:
    """The spec: a signature from a known (name, key ID) that fails to verify rejects the note."""
    forger = Ed25519PrivateKey.generate()
    kid = key_id(PETER_NAME, PETER_PUB)
    sig = forger.sign(TEXT.encode())
    note = f"{TEXT}\n\u2014 PeterNeumann {base64.b64encode(kid + sig).decode()}\n"
    with pytest.raises(ProofError, match="does not verify"):
        open_note(note + PETER_SIG, PETER_NAME, PETER_PUB)


@pytest.mark.parametrize(
    ("note", "why"),
    [
        (TEXT, "no signatures at all"),
        (TEXT + "\n", "blank line but no signature"),
        (TEXT + PETER_SIG, "missing blank line"),
        (TEXT + "\n" + PETER_SIG[:-1], "no final newline"),
        ("\x01" + SIGNED, "control character"),
        (SIGNED.replace("\n", "\r\n"), "CRLF line endings"),
        (TEXT + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZIn\n", "bad name"),
        (SIGNED + "Unexpected line.\n", "text after the signatures"),
        (TEXT + "\n- PeterNeumann " + PETER_SIG.split(" ", 2)[2], "hyphen, not em dash"),
        (TEXT + "\n\u2014 PeterNeumann AAAA\n", "signature too short"),
        (TEXT + "\n" + PETER_SIG.replace("=\n", "\n"), "unpadded base64"),
        (TEXT + "\n" + PETER_SIG * 101, "too many signatures"),
        (SIGNED[:10] + "\ud800" + SIGNED[10:], "lone surrogate: not UTF-8"),
    ],
)
def test_malformed_notes_are_rejected(note: str, why: str) -> None:
    with pytest.raises(ProofError):
        open_note(note, PETER_NAME, PETER_PUB)


def test_non_utf8_bytes_are_rejected() -> None:
    with pytest.raises(ProofError, match="not valid UTF-8"):
        open_note(b"\xff" + SIGNED.encode(), PETER_NAME, PETER_PUB)


def test_bad_caller_arguments_are_input_errors() -> None:
    with pytest.raises(InputError):
        open_note(SIGNED, "Peter Neumann", PETER_PUB)
    with pytest.raises(InputError):
        open_note(SIGNED, PETER_NAME, PETER_PUB[:31])
    with pytest.raises(InputError):
        sign_note("no final newline", PETER_NAME, peter_private())
    with pytest.raises(InputError):
        sign_note("tab\there\n", PETER_NAME, peter_private())
    with pytest.raises(InputError):
        sign_note(TEXT, "a+b", peter_private())


# --------------------------------------------------------------- verifier keys


def test_every_mangled_verifier_key_is_refused() -> None:
    """As TestNewVerifier: every proper substring and every one-byte change fails."""
    accepted = []
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                try:
                    parse_verifier_key(PETER_VKEY[i:j])
                    accepted.append(PETER_VKEY[i:j])
                except InputError:
                    pass
    for i in range(len(PETER_VKEY)):
        mangled = PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        try:
            parse_verifier_key(mangled)
            accepted.append(mangled)
        except InputError:
            pass
    assert accepted == []


@pytest.mark.parametrize(
    "vkey",
    [
        # wrong key length, with adjusted key ID (from note_test.go)
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        # unknown algorithm, with adjusted key ID
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "",
    ],
)
def test_bad_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(InputError):
        parse_verifier_key(vkey)


def test_generated_key_round_trip() -> None:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    name = "mockaudit.local/0b6c1d2e-vault"
    vkey = verifier_key(name, public)
    assert parse_verifier_key(vkey) == (name, public)
    note = sign_note("hello\n", name, private)
    assert open_note(note, *parse_verifier_key(vkey)) == "hello\n"


# ----------------------------------------------------------------- checkpoints

ROOT = hashlib.sha256(b"some tree").digest()


def test_checkpoint_text_is_the_c2sp_three_lines() -> None:
    cp = Checkpoint("example.com/behind-the-sofa", 20852163, ROOT)
    text = checkpoint_text(cp)
    assert text == f"example.com/behind-the-sofa\n20852163\n{base64.b64encode(ROOT).decode()}\n"
    assert parse_checkpoint(text) == cp
    empty = Checkpoint("mockaudit.local/v", 0, EMPTY_ROOT)
    assert parse_checkpoint(checkpoint_text(empty)) == empty


def test_c2sp_example_checkpoint_parses() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    cp = parse_checkpoint(text)
    assert (cp.origin, cp.size, len(cp.root)) == ("example.com/behind-the-sofa", 20852163, 32)


def test_signed_checkpoint_round_trip_and_tamper() -> None:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    origin = "mockaudit.local/3f9a"
    note = sign_note(checkpoint_text(Checkpoint(origin, 42, ROOT)), origin, private)
    assert parse_checkpoint(open_note(note, origin, public)) == Checkpoint(origin, 42, ROOT)
    with pytest.raises(ProofError):
        open_note(note.replace("\n42\n", "\n41\n"), origin, public)


B64_ROOT = base64.b64encode(ROOT).decode()
URLSAFE_ROOT = base64.urlsafe_b64encode(b"\xff" * 32).decode()
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Same bytes, but the two unused low bits of the last character set: not canonical.
NONCANONICAL_ROOT = B64_ROOT[:-2] + _ALPHABET[_ALPHABET.index(B64_ROOT[-2]) | 3] + "="


@pytest.mark.parametrize(
    "text",
    [
        f"o\n5\n{B64_ROOT}",  # no final newline
        f"o\n5\n{B64_ROOT}\nextension\n",  # extension line
        f"o\n5\n{B64_ROOT}\n\n",  # empty extension line
        f"\n5\n{B64_ROOT}\n",  # empty origin
        f"o\n\n{B64_ROOT}\n",  # empty size
        "o\n5\n",  # no root
        f"o\n05\n{B64_ROOT}\n",  # leading zero
        f"o\n-1\n{B64_ROOT}\n",
        f"o\n+5\n{B64_ROOT}\n",
        f"o\n 5\n{B64_ROOT}\n",
        f"o\n5 \n{B64_ROOT}\n",
        f"o\n\u0665\n{B64_ROOT}\n",  # an Arabic-Indic digit five
        f"o\n18446744073709551616\n{B64_ROOT}\n",  # 2**64
        f"o\n5\n{B64_ROOT}\r\n",
        f"o\n5\n{B64_ROOT.rstrip('=')}\n",  # unpadded
        f"o\n5\n{base64.b64encode(ROOT[:31]).decode()}\n",  # 31-byte root
        f"o\n5\n{URLSAFE_ROOT}\n",  # URL-safe alphabet
        f"o\n5\n{NONCANONICAL_ROOT}\n",  # non-canonical trailing bits
        f"o\tx\n5\n{B64_ROOT}\n",  # control character in origin
    ],
)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(ProofError):
        parse_checkpoint(text)


def test_invalid_checkpoint_values_are_refused() -> None:
    with pytest.raises(ProofError):
        Checkpoint("o", -1, ROOT)
    with pytest.raises(ProofError):
        Checkpoint("o", 1, ROOT[:31])
    with pytest.raises(ProofError):
        Checkpoint("", 1, ROOT)
    with pytest.raises(ProofError):
        Checkpoint("a\nb", 1, ROOT)
