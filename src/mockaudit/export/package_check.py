"""``package verify``: check an evidence package with nothing but the ZIP itself.

No vault and no passphrase are needed — whoever receives the package can run
it. Checks, in this order, each problem naming the file concerned:

0. with ``--key`` (a verifier key or a key ID of >= 16 hex digits, obtained from the
   vault owner by another channel): the packaged verifier key is that key. Without
   it the signature only proves the package is consistent with *some* key — anyone
   can re-sign a forged package with a fresh one — and the output says so;
1. the checkpoint note's Ed25519 signature, with the packaged verifier key;
2. the custody event in ``custody-proof.json``: its RFC 6962 inclusion proof up
   to the signed root, and that it records the SHA-256 of ``manifest.json`` —
   so editing the manifest (or re-signing with another key) is caught;
3. the manifest's own facts: the key it names, the README hash;
4. every file the manifest lists: present once, SHA-256 and size as listed, and —
   for packages that carry it — the custody event that collected the file, proven
   to be in the signed log (RFC 6962 inclusion proof), records that same SHA-256;
5. nothing in the ZIP that the manifest does not list, and no unsafe name.

The first problem names the first bad file; all of them are returned.

Metadata members (manifest, note, key, proof, README) are read whole, so each is
refused above ``MAX_METADATA_BYTES`` (uncompressed, as the ZIP declares it;
``zipfile`` never inflates past the declared size): a 2 MB ZIP declaring a 4 GB
manifest is refused in one line instead of taking 4 GB of memory.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mockaudit.errors import InputError, IntegrityError, ProofError
from mockaudit.export.package_format import (
    CHECKPOINT,
    MANIFEST,
    META_FILES,
    PACKAGE_SCHEMA,
    PROOF,
    PROOF_SCHEMA,
    README,
    VERIFIER_KEY,
)
from mockaudit.vault import merkle, signed_note

_READ = 1 << 20
MAX_METADATA_BYTES = 64 * 1024 * 1024
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class PackageProblem:
    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


@dataclass
class PackageCheck:
    path: Path
    problems: list[PackageProblem] = field(default_factory=list)
    files_checked: int = 0
    checkpoint: signed_note.Checkpoint | None = None
    signer_key_id: str | None = None  # first 16 hex digits of the signer's fingerprint
    pinned_key_id: str | None = None  # what --key asked for (None: nothing pinned)
    files_proven: int = 0  # files whose collecting custody event was proven in the log
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_file(self) -> str | None:
        return self.problems[0].file if self.problems else None

    def add(self, file: str, problem: str) -> None:
        self.problems.append(PackageProblem(file, problem))


def parse_pin(text: str) -> str:
    """The fingerprint prefix ``--key`` pins: from a verifier key or a hex key ID."""
    text = text.strip()
    if "+" in text:
        name, public_key = signed_note.parse_verifier_key(text)
        return signed_note.fingerprint(name, public_key)
    hex_id = text.lower().removesuffix("…")
    if len(hex_id) < signed_note.PIN_HEX_MIN or len(hex_id) > 64 or not set(hex_id) <= _HEX:
        raise InputError(
            f"--key: give the signer's verifier key (or a file holding it) or its key ID of "
            f"at least {signed_note.PIN_HEX_MIN} hex digits"
        )
    return hex_id


def verify_package(zip_path: Path, pin: str | None = None) -> PackageCheck:
    """Every problem of the package at ``zip_path`` (an empty list when it verifies).

    ``pin``: what ``parse_pin`` returned for ``--key`` (None: no key pinned).
    """
    zip_path = Path(zip_path)
    check = PackageCheck(zip_path, pinned_key_id=pin[: signed_note.PIN_HEX_MIN] if pin else None)
    try:
        zf = zipfile.ZipFile(zip_path)
    except FileNotFoundError:
        raise InputError(f"{zip_path}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError):
        check.add(zip_path.name, "not a readable ZIP archive")
        return check
    with zf:
        _Verifier(zf, check, pin).run()
    return check


class _Verifier:
    def __init__(self, zf: zipfile.ZipFile, check: PackageCheck, pin: str | None) -> None:
        self.zf = zf
        self.check = check
        self.pin = pin
        self.names = [i.filename for i in zf.infolist() if not i.is_dir()]
        self.manifest_bytes: bytes | None = None
        self.manifest: dict[str, Any] | None = None
        self.signed: signed_note.Checkpoint | None = None  # once its signature verified
        self.collected: dict[int, tuple[bytes, list[bytes]]] = {}  # seq → payload, proof

    def run(self) -> None:
        self.load_manifest()
        self.verify_signature_and_binding()
        self.verify_manifest_facts()
        self.verify_files()
        self.verify_members()

    # -- members -------------------------------------------------------------------------

    def read(self, name: str) -> bytes | None:
        """A small member's bytes, or None (with a problem) when missing or damaged."""
        if name not in self.names:
            self.check.add(name, "missing from the package")
            return None
        self.refuse_oversized(name)
        try:
            return self.zf.read(name)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            self.check.add(name, "damaged inside the ZIP (CRC or format error)")
            return None

    def refuse_oversized(self, name: str) -> None:
        """A metadata member is read whole: refuse one declared larger than the cap."""
        size = max(i.file_size for i in self.zf.infolist() if i.filename == name)
        if size > MAX_METADATA_BYTES:
            raise IntegrityError(
                f"{name}: declares {size} bytes uncompressed, over the "
                f"{MAX_METADATA_BYTES // 2**20} MiB limit for package metadata; not read"
            )

    def load_manifest(self) -> None:
        data = self.read(MANIFEST)
        if data is None:
            return
        self.manifest_bytes = data
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            self.check.add(MANIFEST, "is not valid UTF-8 JSON")
            return
        if not isinstance(doc, dict) or doc.get("schema") != PACKAGE_SCHEMA:
            self.check.add(MANIFEST, f"is not a {PACKAGE_SCHEMA} manifest")
            return
        if not isinstance(doc.get("files"), list):
            self.check.add(MANIFEST, "has no list of files")
            return
        self.manifest = doc

    # -- signature and proof ------------------------------------------------------------

    def verify_signature_and_binding(self) -> None:
        note = self.read(CHECKPOINT)
        key = self.read(VERIFIER_KEY)
        if note is None or key is None:
            return
        try:
            name, public_key = signed_note.parse_verifier_key(key.decode("utf-8").strip())
        except (InputError, UnicodeDecodeError) as exc:
            self.check.add(VERIFIER_KEY, _message(exc, "is not a verifier key"))
            return
        found = signed_note.fingerprint(name, public_key)
        self.check.signer_key_id = found[: signed_note.PIN_HEX_MIN]
        if self.pin is not None and not found.startswith(self.pin):
            self.check.add(
                VERIFIER_KEY,
                f"signed by key {self.check.signer_key_id}, not by the pinned key "
                f"{self.check.pinned_key_id}",
            )
        try:
            text = signed_note.open_note(note, name, public_key)
            checkpoint = signed_note.parse_checkpoint(text)
        except (ProofError, InputError) as exc:
            self.check.add(CHECKPOINT, _message(exc, "signature does not verify"))
            return
        if checkpoint.origin != name:
            self.check.add(CHECKPOINT, f"is for {checkpoint.origin}, not for the key {name}")
            return
        self.check.checkpoint = checkpoint
        self.signed = checkpoint
        self.verify_proof(checkpoint)

    def verify_proof(self, checkpoint: signed_note.Checkpoint) -> None:
        data = self.read(PROOF)
        if data is None:
            return
        try:
            proof = json.loads(data.decode("utf-8"))
            if proof.get("schema") != PROOF_SCHEMA:
                raise ValueError("schema")
            index = int(proof["event"]["index"])
            payload = str(proof["event"]["payload"]).encode("utf-8")
            path = [base64.b64decode(h, validate=True) for h in proof["inclusion_proof"]]
            for item in proof.get("collected", []):
                self.collected[int(item["index"])] = (
                    str(item["payload"]).encode("utf-8"),
                    [base64.b64decode(h, validate=True) for h in item["inclusion_proof"]],
                )
        except (
            UnicodeDecodeError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            binascii.Error,
            RecursionError,
        ):
            self.check.add(PROOF, f"is not a {PROOF_SCHEMA} document")
            return
        try:
            merkle.verify_inclusion(
                index, checkpoint.size, merkle.leaf_hash(payload), path, checkpoint.root
            )
        except ProofError as exc:
            self.check.add(PROOF, f"custody event not in the signed log ({exc.message})")
            return
        self.verify_binding(payload)

    def verify_binding(self, payload: bytes) -> None:
        try:
            event = json.loads(payload.decode("utf-8"))
            recorded = event["package_manifest_sha256"]
            kind = event["event"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            self.check.add(PROOF, "the proven custody event is not a package export")
            return
        if kind != "exported":
            self.check.add(PROOF, "the proven custody event is not a package export")
            return
        if self.manifest_bytes is None:
            return
        if hashlib.sha256(self.manifest_bytes).hexdigest() != recorded:
            self.check.add(
                MANIFEST, "SHA-256 differs from the one recorded in the signed custody log"
            )

    # -- manifest and files -------------------------------------------------------------

    def verify_manifest_facts(self) -> None:
        if self.manifest is None:
            return
        key = self.read_text(VERIFIER_KEY)
        recorded_key = (self.manifest.get("vault") or {}).get("verifier_key")
        if key is not None and recorded_key != key.strip():
            self.check.add(VERIFIER_KEY, "differs from the key recorded in manifest.json")
        readme = self.read(README)
        if readme is not None and hashlib.sha256(readme).hexdigest() != self.manifest.get(
            "readme_sha256"
        ):
            self.check.add(README, "SHA-256 does not match manifest.json")

    def read_text(self, name: str) -> str | None:
        if name not in self.names:
            return None
        self.refuse_oversized(name)
        try:
            return self.zf.read(name).decode("utf-8")
        except (zipfile.BadZipFile, OSError, ValueError, UnicodeDecodeError):
            return None

    def verify_files(self) -> None:
        if self.manifest is None:
            return
        unproven = 0
        for number, entry in enumerate(self.manifest["files"], start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                self.check.add(MANIFEST, f"file entry {number} is malformed")
                continue
            if self.verify_file(entry):
                unproven += not self.verify_collected(entry)
        if unproven:
            self.check.notes.append(
                f"{unproven} file(s) carry no proof of their collecting custody event "
                "(package written before mockaudit recorded them): checked against "
                "manifest.json only"
            )

    def verify_collected(self, entry: dict[str, Any]) -> bool:
        """The file's collecting custody event, proven in the signed log, records its hash.

        False when the entry names no such event (an older package, or an item stored
        before events carried hashes)."""
        index = entry.get("collected_event")
        if index is None:
            return False
        path: str = entry["path"]
        if self.signed is None:
            return True  # the signature failed: already a problem
        proof = self.collected.get(index) if isinstance(index, int) else None
        if proof is None:
            self.check.add(path, f"no proof of its collecting custody event #{index}")
            return True
        payload, hashes = proof
        try:
            merkle.verify_inclusion(
                index, self.signed.size, merkle.leaf_hash(payload), hashes, self.signed.root
            )
            event = json.loads(payload.decode("utf-8"))
            recorded = (event["evidence_id"], event["sha256"], event["size"], event["event"])
        except ProofError as exc:
            self.check.add(
                path, f"its collecting custody event is not in the signed log ({exc.message})"
            )
            return True
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
            self.check.add(path, f"custody event #{index} is not a collection event")
            return True
        if recorded[3] not in ("collected", "imported", "transcript"):
            self.check.add(path, f"custody event #{index} did not collect this file")
        elif recorded[:3] != (entry.get("evidence_id"), entry.get("sha256"), entry.get("size")):
            self.check.add(
                path, f"differs from what custody event #{index} recorded when it was collected"
            )
        else:
            self.check.files_proven += 1
        return True

    def verify_file(self, entry: dict[str, Any]) -> bool:
        """The file's bytes against the manifest; True when they match."""
        path: str = entry["path"]
        if path not in self.names:
            self.check.add(path, "listed in manifest.json but missing from the package")
            return False
        digest = hashlib.sha256()
        size = 0
        try:
            with self.zf.open(path) as fh:
                size = _hash_into(fh, digest)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            self.check.add(path, "damaged inside the ZIP (CRC or format error)")
            return False
        self.check.files_checked += 1
        if digest.hexdigest() != entry.get("sha256"):
            self.check.add(path, "SHA-256 does not match manifest.json")
            return False
        if size != entry.get("size"):
            self.check.add(path, f"size {size} does not match manifest.json")
            return False
        return True

    def verify_members(self) -> None:
        counts: dict[str, int] = {}
        for name in self.names:
            counts[name] = counts.get(name, 0) + 1
        listed: set[str] = set()
        if self.manifest is not None:
            listed = {
                e["path"]
                for e in self.manifest["files"]
                if isinstance(e, dict) and isinstance(e.get("path"), str)
            }
        for name, count in counts.items():
            if not _safe_member(name):
                self.check.add(name, "unsafe name (absolute, '..', backslash or control char)")
            if count > 1:
                self.check.add(name, f"appears {count} times in the ZIP")
            if self.manifest is not None and name not in listed and name not in META_FILES:
                self.check.add(name, "not listed in manifest.json")


def _hash_into(fh: IO[bytes], digest: Any) -> int:
    size = 0
    while chunk := fh.read(_READ):
        digest.update(chunk)
        size += len(chunk)
    return size


def _safe_member(name: str) -> bool:
    if not name or name.startswith("/") or "\\" in name or ":" in name.split("/", 1)[0]:
        return False
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return False
    return not any(part in ("", ".", "..") for part in name.split("/"))


def _message(exc: Exception, fallback: str) -> str:
    text = getattr(exc, "message", "") or ""
    return text or fallback
