"""Issue 15 acceptance 2 (point 2): ``package verify --key`` pins the signer.

A forger who rebuilds a package around a forged file — new manifest, a fresh one-event
custody log, a checkpoint signed with a fresh key — passes a verifier that trusts the
key inside the ZIP. Pinning the vault's key ID (printed by ``vault checkpoint`` and
kept outside the vault) makes it fail with exit 4, naming both keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mockaudit.export.package_format import CHECKPOINT, MANIFEST, PROOF, VERIFIER_KEY
from mockaudit.vault import custody, merkle, signed_note
from tests.integrity.conftest import Built


@pytest.fixture
def packaged(built: Built, tmp_path: Path) -> tuple[Built, Path, str]:
    assert built.cli("audit", "--seed", "3").code == 0
    out = tmp_path / "evidence.zip"
    written = built.cli("package", "--out", out)
    assert written.code == 0, written.err
    (key_id,) = [
        line.split()[4] for line in written.out.splitlines() if line.startswith("key ID to pin")
    ]
    return built, out, key_id


def _resign(src: Path, dst: Path) -> str:
    """The forgery: first evidence file replaced, everything re-signed with a fresh key."""
    with zipfile.ZipFile(src) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    doc = json.loads(members[MANIFEST])
    victim = doc["files"][0]
    forged = b"forged evidence\n"
    members[victim["path"]] = forged
    for entry in doc["files"]:
        entry["collected_event"] = None
    victim.update(sha256=hashlib.sha256(forged).hexdigest(), size=len(forged))
    key = Ed25519PrivateKey.generate()
    origin = doc["vault"]["origin"]
    vkey = signed_note.verifier_key(origin, key.public_key().public_bytes_raw())
    doc["vault"]["verifier_key"] = vkey
    manifest = json.dumps(doc, indent=2).encode()
    payload = custody.canonical(
        {
            "v": 1,
            "seq": 0,
            "event": "exported",
            "evidence_id": victim["evidence_id"],
            "time_utc": "2026-01-01T00:00:00+00:00",
            "package_manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        }
    )
    root = merkle.leaf_hash(payload)
    text = signed_note.checkpoint_text(signed_note.Checkpoint(origin, 1, root))
    members.update(
        {
            MANIFEST: manifest,
            VERIFIER_KEY: (vkey + "\n").encode(),
            CHECKPOINT: signed_note.sign_note(text, origin, key).encode(),
            PROOF: json.dumps(
                {
                    "schema": "mockaudit.package-proof/1",
                    "checkpoint": {
                        "origin": origin,
                        "size": 1,
                        "root": base64.b64encode(root).decode(),
                    },
                    "event": {"index": 0, "payload": payload.decode()},
                    "inclusion_proof": [],
                }
            ).encode(),
        }
    )
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return signed_note.fingerprint(origin, key.public_key().public_bytes_raw())[:16]


def test_untouched_package_passes_with_its_pinned_key_and_prints_it(
    packaged: tuple[Built, Path, str],
) -> None:
    built, out, key_id = packaged
    ok = built.run("package", "verify", out, "--key", key_id)
    assert ok.code == 0, ok.out
    assert f"signer key ID: {key_id}" in ok.out
    assert f"signed by the pinned key {key_id}" in ok.out
    assert "proven against their collecting custody event" in ok.out
    files = json.loads(zipfile.ZipFile(out).read(MANIFEST))["files"]
    assert f"({len(files)} proven against" in ok.out


def test_without_key_it_says_no_key_was_pinned(packaged: tuple[Built, Path, str]) -> None:
    built, out, key_id = packaged
    plain = built.run("package", "verify", out)
    assert plain.code == 0
    assert (
        f"signature valid for key {key_id}…; no key was pinned: pin it with --key to prove "
        "who signed" in plain.out
    )


def test_resigned_forgery_fails_the_pinned_key_and_names_both(
    packaged: tuple[Built, Path, str], tmp_path: Path
) -> None:
    built, out, key_id = packaged
    forged = tmp_path / "forged.zip"
    other = _resign(out, forged)
    unpinned = built.run("package", "verify", forged)
    assert unpinned.code == 0  # what a verifier trusting the ZIP's own key would accept
    assert "no key was pinned" in unpinned.out and other in unpinned.out
    pinned = built.run("package", "verify", forged, "--key", key_id)
    assert pinned.code == 4
    assert f"PROBLEM: verifier-key.txt: signed by key {other}, not by the pinned key {key_id}" in (
        pinned.out
    )
    assert f"signer key ID: {other}" in pinned.out and f"pinned key ID: {key_id}" in pinned.out


def test_pin_by_verifier_key_file(packaged: tuple[Built, Path, str], tmp_path: Path) -> None:
    built, out, _ = packaged
    trusted = tmp_path / "trusted-key.txt"
    trusted.write_bytes(zipfile.ZipFile(out).read(VERIFIER_KEY))
    assert built.run("package", "verify", out, "--key", trusted).code == 0
    forged = tmp_path / "forged.zip"
    _resign(out, forged)
    assert built.run("package", "verify", forged, "--key", trusted).code == 4


def test_a_short_key_id_is_refused_in_one_line(packaged: tuple[Built, Path, str]) -> None:
    built, out, key_id = packaged
    short = built.run("package", "verify", out, "--key", key_id[:8])
    assert short.code != 0
    (line,) = short.err.strip().splitlines()
    assert "at least 16 hex digits" in line


def test_package_built_after_a_blob_swap_is_refused(built: Built, tmp_path: Path) -> None:
    """Point 1: a package built after tampering no longer carries the forged file."""
    from tests.integrity.conftest import raw_conn, swap_blob

    assert built.cli("audit", "--seed", "3").code == 0
    conn = raw_conn(built.vault)
    ids = [r[0] for r in conn.execute("SELECT evidence_id FROM evidence ORDER BY 1")]
    conn.close()
    for ev in ids:
        swap_blob(built.vault, ev, f"forged {ev}".encode(), tmp_path)
    refused = built.cli("package", "--out", tmp_path / "p.zip")
    assert refused.code == 4
    assert "differs from the custody event that collected it" in refused.err
    assert not (tmp_path / "p.zip").exists()
