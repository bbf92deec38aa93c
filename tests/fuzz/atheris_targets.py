"""Coverage-guided fuzz targets (atheris) for every parser of stored or imported bytes.

Each target takes the raw bytes libFuzzer generates and applies the *same* acceptance
rules as the hypothesis fuzzers next to this file (test_fuzz_vault_parsers.py,
test_fuzz_tables.py, test_fuzz_scenario_loader.py): the parser either returns a value
that passes the same oracle, or raises its documented error class with a message of one
line of at most 600 characters (``profile.assert_one_line``). Anything else — another
exception, a failed oracle, a multi-line message — propagates, and atheris records the
input as a crash. Hangs are caught by libFuzzer's ``-timeout``.

This module never imports atheris: tests/fuzz/run_atheris.py instruments the mockaudit
modules and drives these functions, and tests/fuzz/test_atheris_targets.py runs them over
the seed corpus in plain pytest so they cannot rot. Its name does not start with
``test_`` so pytest does not collect it.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mockaudit.errors import BlobIntegrityError, InputError, IntegrityError, ProofError
from mockaudit.scenarios import csv_reader, json_reader
from mockaudit.scenarios.loader import SCENARIO_FILE, load_scenario
from mockaudit.vault import blob_format, custody, keyfile, keyslots, signed_note
from tests.fuzz.oracles import csv_oracle, json_oracle
from tests.fuzz.profile import assert_one_line

Target = Callable[[bytes], None]

FIXTURE = Path(__file__).parents[1] / "scenarios" / "fixtures" / "valid"
CSV_LABEL = "populations/fuzz.csv"
JSON_LABEL = "populations/fuzz.json"
SCRATCH_ENV = "MOCKAUDIT_FUZZ_SCRATCH"  # the runner points this at a folder it removes

# The vault fixtures are the ones test_fuzz_vault_parsers.py uses, so a seed written from
# them is an input both fuzzers agree is valid.
DEK = bytes(range(32))
BLOB_ID = bytes(range(100, 116))
PLAINTEXT = bytes(i * 7 % 251 for i in range(3 * 4096 + 100))
SIGNER = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = SIGNER.public_key().public_bytes_raw()
ORIGIN = "mockaudit.local/0f1e2d3c"
CHECKPOINT = signed_note.checkpoint_text(signed_note.Checkpoint(ORIGIN, 42, b"\x07" * 32))
NOTE = signed_note.sign_note(CHECKPOINT, ORIGIN, SIGNER)


def _text(data: bytes) -> str:
    """Bytes as the str a parser of text would see. ``surrogateescape`` keeps every input
    distinct and yields the lone surrogates Python puts in ``sys.argv`` for bad bytes."""
    return data.decode("utf-8", "surrogateescape")


# ----- blob header and stream -----


def blob_header(data: bytes) -> None:
    try:
        header = blob_format.parse_header(data)
    except BlobIntegrityError as exc:
        assert_one_line(exc)
        return
    assert header.chunk_size in blob_format.ALLOWED_CHUNK_SIZES
    assert header.to_bytes() == data[: blob_format.HEADER_LEN]


def blob_stream(data: bytes) -> None:
    """Only authentic plaintext is ever released, and a damaged blob never decrypts."""
    released = bytearray()
    try:
        for piece in blob_format.decrypt_stream(io.BytesIO(data), DEK):
            released += piece
    except BlobIntegrityError as exc:
        assert_one_line(exc)
        assert PLAINTEXT.startswith(bytes(released)), "unauthenticated plaintext was released"
        return
    assert bytes(released) == PLAINTEXT, "a damaged blob decrypted to something else"


# ----- custody events, checkpoints, signed notes, verifier keys -----


def custody_event(data: bytes) -> None:
    try:
        decoded = custody.decode(data)
    except IntegrityError as exc:
        assert_one_line(exc)
        return
    assert decoded.event in custody.EVENT_TYPES and decoded.seq >= 0


def checkpoint(data: bytes) -> None:
    text = _text(data)
    try:
        cp = signed_note.parse_checkpoint(text)
    except ProofError as exc:
        assert_one_line(exc)
        return
    assert signed_note.checkpoint_text(cp) == text, "a non-canonical checkpoint parsed"


def signed_note_open(data: bytes) -> None:
    try:
        text = signed_note.open_note(data, ORIGIN, PUBLIC)
    except ProofError as exc:
        assert_one_line(exc)
        return
    assert text == CHECKPOINT, "a note with changed text verified"


def verifier_key(data: bytes) -> None:
    vkey = _text(data)
    try:
        name, key = signed_note.parse_verifier_key(vkey)
    except InputError as exc:
        assert_one_line(exc)
        return
    assert signed_note.verifier_key(name, key) == vkey


# ----- vault.key -----


def _check_vault_key(data: bytes) -> None:
    try:
        header = keyfile.parse_header(data)
    except IntegrityError as exc:
        assert_one_line(exc)
        return
    assert keyfile.MIN_MEMORY_KIB <= header.kdf.memory_kib <= keyfile.MAX_MEMORY_KIB
    assert header.kdf.iterations <= keyfile.MAX_ITERATIONS


def _rechecksummed(data: bytes) -> bytes | None:
    """``data`` as a JSON object with a checksum that matches it, so the fuzzer reaches
    the field checks behind the checksum (a crafted, not a damaged, header). None when
    ``data`` is not a JSON object this can re-serialise."""
    try:
        doc: Any = json.loads(data)
        if not isinstance(doc, dict):
            return None
        doc.pop("checksum", None)
        doc["checksum"] = hashlib.sha256(keyfile.canonical_json(doc)).hexdigest()
        return keyfile.canonical_json(doc) + b"\n"
    except (ValueError, RecursionError):  # not JSON, lone surrogates, too deep
        return None


def vault_key(data: bytes) -> None:
    """The header as stored, then the same fields with a checksum that matches."""
    _check_vault_key(data)
    crafted = _rechecksummed(data)
    if crafted is not None:
        _check_vault_key(crafted)


# ----- population readers -----


class _Scratch:
    """One folder per process for the file-based targets, reused by every input (fast)."""

    def __init__(self) -> None:
        self._root: Path | None = None

    @property
    def root(self) -> Path:
        if self._root is None:
            given = os.environ.get(SCRATCH_ENV)
            if given:
                self._root = Path(given)
                self._root.mkdir(parents=True, exist_ok=True)
            else:
                self._root = Path(tempfile.mkdtemp(prefix="mockaudit-fuzz-"))
                atexit.register(shutil.rmtree, self._root, True)
        return self._root

    def file(self, name: str, data: bytes) -> Path:
        path = self.root / name
        path.write_bytes(data)
        return path

    def scenario(self) -> Path:
        folder = self.root / "scenario"
        if not folder.is_dir():
            shutil.copytree(FIXTURE, folder)
        return folder


SCRATCH = _Scratch()


def csv_population(data: bytes) -> None:
    """Accepted files read exactly as the csv module reads them, by both reader paths."""
    path = SCRATCH.file("fuzz.csv", data)
    try:
        table = csv_reader.open_csv(path, CSV_LABEL)
        rows = [cells for _, cells in table.rows()]
    except InputError as exc:
        text = assert_one_line(exc)
        assert text.startswith(CSV_LABEL), text
        return
    oracle = csv_oracle(data, table.delimiter)
    assert oracle is not None, "the reader accepted a file the csv module cannot read"
    assert [c.strip() for c in oracle[0]] == table.header
    assert rows == oracle[1:], "rows differ from what the csv module reads"
    careful = list(csv_reader._records(io.BytesIO(data), CSV_LABEL, table.delimiter))
    assert [c for _, c in careful[1:]] == rows, "the fast and the careful path disagree"
    lines = [line for line, _ in csv_reader.open_csv(path, CSV_LABEL).rows()]
    assert [line for line, _ in careful[1:]] == lines, "they number lines differently"


def _json_rows(path: Path) -> list[dict[str, str]]:
    table = json_reader.open_json_rows(path, JSON_LABEL)
    return [dict(zip(table.header, cells, strict=True)) for _, cells in table.rows()]


def json_population(data: bytes) -> None:
    """Accepted arrays read as ``json.loads`` reads them, whatever the read chunk size
    (7 bytes splits characters, a BOM and tokens across chunks; the default does not)."""
    path = SCRATCH.file("fuzz.json", data)
    default = json_reader.CHUNK_BYTES
    for chunk in (default, 7):
        json_reader.CHUNK_BYTES = chunk
        try:
            got = _json_rows(path)
        except InputError as exc:
            text = assert_one_line(exc)
            assert text.startswith(JSON_LABEL), text
            assert json_oracle(data) is None or len(data) > json_reader.MAX_ELEMENT_CHARS, (
                f"the reader refused a valid table at chunk size {chunk}: {text}"
            )
            continue
        finally:
            json_reader.CHUNK_BYTES = default
        oracle = json_oracle(data)
        assert oracle is not None, "the reader accepted what json.loads does not read as a table"
        header = list(dict.fromkeys(k for row in oracle for k in row))
        assert got == [{k: row.get(k, "") for k in header} for row in oracle], chunk


# ----- scenario.toml -----


def scenario_toml(data: bytes) -> None:
    """scenario.toml text in a copy of the valid fixture folder (its populations and
    evidence stay, so a document that validates goes on to the file checks)."""
    folder = SCRATCH.scenario()
    (folder / SCENARIO_FILE).write_bytes(data)
    try:
        scenario = load_scenario(folder)
    except InputError as exc:
        assert_one_line(exc)
        return
    assert scenario.program.controls is not None


TARGETS: dict[str, Target] = {
    "blob_header": blob_header,
    "blob_stream": blob_stream,
    "custody_event": custody_event,
    "checkpoint": checkpoint,
    "signed_note": signed_note_open,
    "verifier_key": verifier_key,
    "vault_key": vault_key,
    "csv_population": csv_population,
    "json_population": json_population,
    "scenario_toml": scenario_toml,
}

# libFuzzer -max_len per target: a little above the largest seed, so mutations can grow it.
MAX_LEN: dict[str, int] = {
    "blob_header": 256,
    "blob_stream": 16_384,
    "custody_event": 4096,
    "checkpoint": 512,
    "signed_note": 2048,
    "verifier_key": 4096,
    "vault_key": 2048,
    "csv_population": 4096,
    "json_population": 4096,
    "scenario_toml": 8192,
}


def seeds() -> dict[str, dict[str, bytes]]:
    """Valid (and a few just-invalid) inputs per target: the corpus kept in the repo.

    The runner writes these once with ``--write-seeds``; libFuzzer grows from them, so the
    fuzzer gets past each parser's first checks.
    """
    # Every valid blob seed encrypts PLAINTEXT: the oracle knows no other authentic text.
    # The salt is fixed (not os.urandom) so the committed seeds are reproducible.
    with mock.patch("os.urandom", lambda n: bytes(range(n))):
        blob = io.BytesIO()
        blob_format.encrypt_stream(io.BytesIO(PLAINTEXT), blob, DEK, BLOB_ID, chunk_size=4096)
        one = io.BytesIO()
        blob_format.encrypt_stream(io.BytesIO(PLAINTEXT), one, DEK, BLOB_ID, chunk_size=16384)
    event = {
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
    slot = keyslots.Slot(  # fixed bytes: the seed corpus must be reproducible
        slot_id="0123456789abcdef",
        member_id="owner",
        display="Owner",
        kind="passphrase",
        added_at="2026-03-01T10:00:00+00:00",
        must_change=False,
        memory_kib=8 * 1024,
        iterations=1,
        lanes=1,
        salt=bytes(16),
        key_nonce=bytes(12),
        wrapped_key=bytes(48),
        public=bytes(32),
        envelope=keyslots.Envelope(bytes(32), bytes(12), bytes(48)),
    )
    header = keyfile.Header(
        vault_id="6a1c2f0e-0000-4000-8000-000000000000",
        created_at="2026-03-01T10:00:00+00:00",
        key_epoch=1,
        slots=(
            slot,
            replace(
                slot,
                slot_id="fedcba9876543210",
                kind="recovery",
                member_id="recovery",
                display="Recovery kit",
            ),
        ),
        change="created",
        change_member="owner",
    ).to_bytes()
    vkey = signed_note.verifier_key(ORIGIN, PUBLIC)
    populations = FIXTURE / "populations"
    return {
        "blob_header": {
            "valid": blob.getvalue()[: blob_format.HEADER_LEN],
            "chunk-1mib": blob_format.BlobHeader(1, 1, 1 << 20, BLOB_ID, bytes(32)).to_bytes(),
            "truncated": blob.getvalue()[:40],
        },
        "blob_stream": {
            "four-chunks": blob.getvalue(),
            "one-chunk": one.getvalue(),
            "last-chunk-cut": blob.getvalue()[:-20],
        },
        "custody_event": {
            "collected": custody.canonical(event),
            "exported": custody.canonical({**event, "event": "exported", "seq": 4}),
            "no-evidence-id": custody.canonical({**event, "evidence_id": None}),
        },
        "checkpoint": {
            "valid": CHECKPOINT.encode(),
            "size-zero": CHECKPOINT.replace("42", "0").encode(),
        },
        "signed_note": {
            "valid": NOTE.encode(),
            "two-signatures": (NOTE + NOTE.split("\n\n")[1]).encode(),
        },
        "verifier_key": {"valid": vkey.encode()},
        "vault_key": {"valid": header, "no-checksum": header.replace(b'"checksum"', b'"x"')},
        "csv_population": {
            "changes": (populations / "changes.csv").read_bytes(),
            "terminations": (populations / "terminations.csv").read_bytes(),
            "semicolon-bom": b'\xef\xbb\xbfid;name;date\r\n1;"a;b";2026-01-02\r\n2;c;\r\n',
            "quoted-newline": b'id,note\n1,"two\nlines"\n2,"say ""hi"""\n',
        },
        "json_population": {
            "rows": json.dumps(
                [{"id": 1, "name": "Zoë", "ok": True, "n": None}, {"id": "2", "x": 1.50}],
                indent=1,
                ensure_ascii=False,
            ).encode(),
            "bom-empty": b"\xef\xbb\xbf[]",
            "numbers": b'[{"a": 12.50, "b": -0, "c": 1e999}]',
        },
        "scenario_toml": {"valid": (FIXTURE / SCENARIO_FILE).read_bytes()},
    }
