"""Fuzzing the vault's parsers of stored bytes (issue 9 acceptance 4; §6 rows 6, 12).

Blob header and stream (blob_format), custody event payloads (custody.decode), the
checkpoint and signed-note parsers (signed_note) and the vault.key header
(keyfile.parse_header): random bytes, and mutations of valid inputs so the fuzzer gets
past the first check. Property for each: it returns a value or raises its documented
error class (BlobIntegrityError, IntegrityError, ProofError, InputError,
HeaderDamagedError) with a one-line message — never another exception, never a hang
(hypothesis deadline), never unauthenticated plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import event, given
from hypothesis import strategies as st

from mockaudit.errors import BlobIntegrityError, InputError, IntegrityError, ProofError
from mockaudit.vault import blob_format, custody, keyfile, signed_note
from tests.fuzz.profile import EXAMPLES, assert_one_line, fuzz

pytestmark = pytest.mark.crash  # counts scale up under make soak

DEK = bytes(range(32))
BLOB_ID = bytes(range(100, 116))
PLAINTEXT = bytes(i * 7 % 251 for i in range(3 * 4096 + 100))


def _blob() -> bytes:
    out = io.BytesIO()
    blob_format.encrypt_stream(io.BytesIO(PLAINTEXT), out, DEK, BLOB_ID, chunk_size=4096)
    return out.getvalue()


BLOB = _blob()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nfuzz examples (vault parsers): {dict(sorted(EXAMPLES.items()))}")


# ----- byte mutations shared by the binary parsers -----


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few edits: flipped bits, overwritten, inserted or deleted runs,
    a truncation or an extension."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "extend"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[at:]
        else:
            data += draw(st.binary(min_size=1, max_size=80))
    return bytes(data)


# ----- blob header and stream -----


@fuzz(ci=400)
@given(st.one_of(st.binary(max_size=120), mutated(BLOB[: blob_format.HEADER_LEN])))
def test_blob_header_parser(data: bytes) -> None:
    EXAMPLES["blob_format.parse_header"] += 1
    try:
        header = blob_format.parse_header(data)
    except BlobIntegrityError as exc:
        assert_one_line(exc)
        event("rejected")
        return
    assert header.chunk_size in blob_format.ALLOWED_CHUNK_SIZES
    assert header.to_bytes() == data[: blob_format.HEADER_LEN]


@fuzz(ci=300)
@given(st.one_of(st.binary(max_size=300), mutated(BLOB)))
def test_blob_stream_releases_only_authentic_plaintext(data: bytes) -> None:
    EXAMPLES["blob_format.decrypt_stream"] += 1
    released = bytearray()
    try:
        for piece in blob_format.decrypt_stream(io.BytesIO(data), DEK):
            released += piece
    except BlobIntegrityError as exc:
        assert_one_line(exc)
        assert PLAINTEXT.startswith(bytes(released)), "unauthenticated plaintext was released"
        return
    assert bytes(released) == PLAINTEXT, "a damaged blob decrypted to something else"


# ----- custody events -----


def _event() -> dict[str, Any]:
    return {
        "v": 1,
        "seq": 3,
        "event": "collected",
        "evidence_id": "EV-000001",
        "time_utc": "2026-03-01T10:00:00.000000+00:00",
        "tz_offset": "+0000",
        "collector": "dana",
        "host": "laptop",
        "tools": {"mockaudit": "0.1.0"},
        "purpose": "",
        "prev_leaf": "00" * 32,
        "sha256": "ab" * 32,
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated_events(draw: st.DrawFn) -> bytes:
    doc: Any = _event()
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from([*doc, "extra"]) if isinstance(doc, dict) else st.just(""))
        action = draw(st.sampled_from(["replace", "delete", "wrap"]))
        if not isinstance(doc, dict):
            break
        if action == "replace":
            doc[key] = draw(json_values)
        elif action == "delete":
            doc.pop(key, None)
        else:
            doc = draw(st.sampled_from([[doc], {"event": doc}, doc]))
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")


@fuzz(ci=400)
@given(
    st.one_of(
        st.binary(max_size=200),
        mutated_events(),
        mutated(custody.canonical(_event())),
        st.integers(1, 200_000).map(lambda n: b"[" * n + b"]" * n),
        st.just(b'{"v":1,' + b'"pad":"' + b"x" * custody.MAX_PAYLOAD + b'"}'),
    )
)
def test_custody_event_decoder(payload: bytes) -> None:
    EXAMPLES["custody.decode"] += 1
    try:
        decoded = custody.decode(payload)
    except IntegrityError as exc:
        assert_one_line(exc)
        event("rejected")
        return
    assert decoded.event in custody.EVENT_TYPES and decoded.seq >= 0


# ----- checkpoints and signed notes -----

SIGNER = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = SIGNER.public_key().public_bytes_raw()
ORIGIN = "mockaudit.local/0f1e2d3c"
CHECKPOINT = signed_note.checkpoint_text(signed_note.Checkpoint(ORIGIN, 42, b"\x07" * 32))
NOTE = signed_note.sign_note(CHECKPOINT, ORIGIN, SIGNER)

note_text = st.text(
    alphabet=st.sampled_from(list("ab0189+/=\n \u2014.-/\t\x00é")) | st.characters(),
    max_size=200,
)


@st.composite
def mutated_text(draw: st.DrawFn, original: str) -> str:
    lines = original.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["replace", "drop", "dup", "edit", "append"]))
        if action == "replace":
            lines[at] = draw(note_text)
        elif action == "drop" and len(lines) > 1:
            del lines[at]
        elif action == "dup":
            lines.insert(at, lines[at])
        elif action == "edit" and lines[at]:
            i = draw(st.integers(0, len(lines[at]) - 1))
            lines[at] = lines[at][:i] + draw(note_text) + lines[at][i + 1 :]
        else:
            lines.append(draw(note_text))
    return "\n".join(lines)


@fuzz(ci=400)
@given(st.one_of(note_text, mutated_text(CHECKPOINT)))
def test_checkpoint_parser(text: str) -> None:
    EXAMPLES["signed_note.parse_checkpoint"] += 1
    try:
        cp = signed_note.parse_checkpoint(text)
    except ProofError as exc:
        assert_one_line(exc)
        event("rejected")
        return
    assert signed_note.checkpoint_text(cp) == text  # only the canonical form parses


@fuzz(ci=400)
@given(
    st.one_of(
        note_text,
        mutated_text(NOTE),
        mutated(NOTE.encode("utf-8")),
        st.integers(0, 300).map(lambda n: CHECKPOINT + "\n" + NOTE.split("\n\n")[1] * n),
    )
)
def test_signed_note_opener(note: str | bytes) -> None:
    EXAMPLES["signed_note.open_note"] += 1
    try:
        text = signed_note.open_note(note, ORIGIN, PUBLIC)
    except ProofError as exc:
        assert_one_line(exc)
        event("rejected")
        return
    assert text == CHECKPOINT, "a note with changed text verified"


@fuzz(ci=200)
@given(
    st.one_of(
        note_text,
        mutated_text(signed_note.verifier_key(ORIGIN, PUBLIC)),
        st.builds(lambda a, b, c: f"{a}+{b}+{c}", note_text, note_text, note_text),
    )
)
def test_verifier_key_parser(vkey: str) -> None:
    EXAMPLES["signed_note.parse_verifier_key"] += 1
    try:
        name, key = signed_note.parse_verifier_key(vkey)
    except InputError as exc:
        assert_one_line(exc)
        event("rejected")
        return
    assert signed_note.verifier_key(name, key) == vkey


# ----- vault.key -----


def _header_doc(legacy: bool = False) -> dict[str, Any]:
    """A valid vault.key: format 2 (two member slots and a recovery slot) or, with
    ``legacy``, format 1 (one passphrase, as releases before key slots wrote it)."""
    if legacy:
        return json.loads((LEGACY_KEY).read_bytes())
    return json.loads(_SLOTTED_KEY)


LEGACY_KEY = Path(__file__).parents[1] / "vault/data/release-8a742f3/vault/vault.key"


def _slotted_key() -> bytes:
    vmk, params = bytes(32), keyfile.KdfParams(memory_kib=8 * 1024, iterations=1)
    common = {"params": params, "added_at": "2026-03-01T10:00:00+00:00"}
    vault_id = "6a1c2f0e-0000-4000-8000-000000000000"
    slots = [
        keyfile.passphrase_slot("a", vault_id, member_id="owner", display="Owner", **common),
        keyfile.passphrase_slot("b", vault_id, member_id="dana", display="Dana", **common),
        keyfile.passphrase_slot(
            "c", vault_id, member_id="recovery", display="Kit", kind="recovery", **common
        ),
    ]
    header = keyfile.build_header(
        vmk, vault_id=vault_id, created_at="2026-03-01T10:00:00+00:00", epoch=1, slots=slots
    )
    return header.to_bytes()


_SLOTTED_KEY = _slotted_key()


def _flatten(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for key, value in items:
        yield (*prefix, key)
        if isinstance(value, dict | list):
            yield from _flatten(value, (*prefix, key))


header_values = st.one_of(
    json_values,
    st.sampled_from([math.inf, -math.inf, math.nan, 1e400, 2**70, -1, 0, 2**31, "8192"]),
    st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode()),
)


@st.composite
def checksummed_headers(draw: st.DrawFn) -> bytes:
    """A vault.key with some fields changed and a checksum that matches the change, so
    parsing gets past the checksum to the fields (a crafted, not a damaged, header)."""
    doc = _header_doc(legacy=draw(st.booleans()))
    del doc["checksum"]
    paths = list(_flatten(doc))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        node: Any = doc
        for key in path[:-1]:
            if isinstance(node, dict):
                node = node.get(key)
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                node = None
        if isinstance(node, dict):
            if draw(st.booleans()):
                node[path[-1]] = draw(header_values)
            else:
                node.pop(path[-1], None)
        elif isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node):
            if draw(st.booleans()):
                node[path[-1]] = draw(header_values)
            else:
                node.pop(path[-1])
    body = keyfile.canonical_json(doc)
    doc["checksum"] = hashlib.sha256(body).hexdigest()
    return keyfile.canonical_json(doc) + b"\n"


@fuzz(ci=400)
@given(
    st.one_of(
        st.binary(max_size=300),
        mutated(json.dumps(_header_doc()).encode()),
        mutated(json.dumps(_header_doc(legacy=True)).encode()),
        checksummed_headers(),
        st.integers(1, 100_000).map(lambda n: b"[" * n + b"]" * n),
    )
)
def test_vault_key_header_parser(data: bytes) -> None:
    """Never an exception other than HeaderDamagedError; KDF costs above the ceiling are
    refused before anything is derived."""
    EXAMPLES["keyfile.parse_header"] += 1
    try:
        header = keyfile.parse_header(data)
    except IntegrityError as exc:
        assert_one_line(exc)
        event("rejected")
        return
    assert keyfile.MIN_MEMORY_KIB <= header.kdf.memory_kib <= keyfile.MAX_MEMORY_KIB
    assert header.kdf.iterations <= keyfile.MAX_ITERATIONS
    for slot in header.slots:
        assert keyfile.MIN_MEMORY_KIB <= slot.memory_kib <= keyfile.MAX_MEMORY_KIB
        assert slot.iterations <= keyfile.MAX_ITERATIONS


def test_crafted_header_with_infinite_numbers_is_a_damaged_header() -> None:
    """Regression (fuzz): ``"key_epoch": Infinity`` with a matching checksum made
    ``int()`` raise OverflowError, and a deeply nested document RecursionError — both
    escaped as tracebacks instead of "vault.key is damaged"."""
    for field, value in (("key_epoch", math.inf), ("key_epoch", math.nan)):
        doc = _header_doc(legacy=True)
        del doc["checksum"]
        doc[field] = value
        doc["checksum"] = hashlib.sha256(keyfile.canonical_json(doc)).hexdigest()
        with pytest.raises(IntegrityError, match="damaged"):
            keyfile.parse_header(keyfile.canonical_json(doc))
    doc = _header_doc(legacy=True)
    del doc["checksum"]
    doc["kdf"]["memory_kib"] = 1e400
    doc["checksum"] = hashlib.sha256(keyfile.canonical_json(doc)).hexdigest()
    with pytest.raises(IntegrityError, match="damaged"):
        keyfile.parse_header(keyfile.canonical_json(doc))
    with pytest.raises(IntegrityError, match="damaged"):
        keyfile.parse_header(b"[" * 100_000 + b"]" * 100_000)
    doc = _header_doc()
    del doc["checksum"]
    doc["slots"][1]["kdf"]["memory_kib"] = 64 * 1024 * 1024  # 64 GiB: refused, not run
    doc["checksum"] = hashlib.sha256(keyfile.canonical_json(doc)).hexdigest()
    with pytest.raises(IntegrityError, match="unsafe key-derivation"):
        keyfile.parse_header(keyfile.canonical_json(doc))


@pytest.mark.parametrize("member", ["", "Dana", "9lives", "recovery", "x" * 33])
def test_checksummed_header_with_a_bad_member_name_is_a_damaged_header(member: str) -> None:
    """Regression (fuzz, CI): a passphrase slot whose member name the CLI would refuse
    escaped as the CLI's InputError ("member name '' is not allowed") instead of
    "vault.key is damaged" — a header nobody's mockaudit wrote is damaged or crafted."""
    doc = _header_doc()
    del doc["checksum"]
    doc["slots"][0]["member_id"] = member
    doc["checksum"] = hashlib.sha256(keyfile.canonical_json(doc)).hexdigest()
    with pytest.raises(IntegrityError, match="damaged"):
        keyfile.parse_header(keyfile.canonical_json(doc))
