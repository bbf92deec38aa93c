"""The evidence package: what a real auditor would request, in one verifiable ZIP.

``write_package`` decrypts the evidence a run asked for (each request's
``found`` evidence, the population listings of population requests, and every
control's linked evidence) into folders per control and request, then adds a
``manifest.json`` (path, evidence id, SHA-256, size, original name, custody
events of every file), the vault's signed custody checkpoint, the verifier key,
an inclusion proof binding the manifest to that checkpoint, and a README.

Which file goes where is ``export/package_layout.py`` (pure, over domain objects); this
module reads the vault and records custody. Safety: names inside the ZIP come from
``safenames.safe_component`` (never an original name as a path); the ZIP is written
to an exclusive temp file in the target folder (``O_EXCL|O_NOFOLLOW``) and renamed over
the target, which is refused when it is a symlink or a folder — nothing is written
anywhere else.
Every decrypted file is re-hashed against its custody hash before it is kept.

Custody: one ``exported`` event per packaged file, each carrying the SHA-256 of
the manifest; then a checkpoint signs the log. The events are committed before
the ZIP is renamed into place, so a failure at the very end leaves events for a
package that never appeared — an over-statement of exports, never a decrypted
copy without its event.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mockaudit import fsio
from mockaudit.domain.evidence import EvidenceInfo
from mockaudit.domain.progress import StageProgress, quiet
from mockaudit.domain.run import Run
from mockaudit.errors import InputError, IntegrityError
from mockaudit.export.package_check import PackageCheck, PackageProblem, verify_package
from mockaudit.export.package_format import (
    CHECKPOINT,
    EXPORT_PURPOSE,
    MANIFEST,
    PACKAGE_SCHEMA,
    PROOF,
    PROOF_SCHEMA,
    README,
    README_TEXT,
    VERIFIER_KEY,
)
from mockaudit.export.package_layout import PackageEntry, plan_package, zip_info
from mockaudit.vault import custody, db, merkle, signed_note
from mockaudit.vault.store import Vault

__all__ = [
    "PackageCheck",
    "PackageEntry",
    "PackageProblem",
    "PackageReport",
    "plan_package",
    "verify_package",
    "write_package",
]

PACKAGING = "packaging files"
_ZIP64_FROM = 1 << 31  # bytes: a member at least this large may need ZIP64 headers


@dataclass(frozen=True)
class PackageReport:
    path: Path
    files: int
    evidence: int
    bytes: int
    manifest_sha256: str
    checkpoint: str
    verifier_key: str
    unavailable: tuple[str, ...]  # evidence ids the run names that the vault does not hold


def write_package(
    vault: Vault, run: Run, out_zip: Path, progress: StageProgress = quiet
) -> PackageReport:
    """Write the evidence package of ``run`` to ``out_zip`` (atomically); record custody.
    ``progress`` hears each file decrypted, re-hashed and zipped."""
    out = Path(out_zip)
    _check_target(out)
    if not vault.writable:
        raise InputError("the vault was opened read-only; packaging records custody events")
    infos = {info.evidence_id: info for info in vault.list_evidence()}
    entries, unavailable = plan_package(run, infos)
    if not entries:
        raise InputError(f"run {run.id} names no evidence the vault holds; nothing to package")
    collected = _collecting_events(vault, entries, infos)
    stamp = datetime.now(UTC).replace(microsecond=0)
    fsio.sweep_temps(out.parent, {out.name})
    with fsio.atomic_writer(out) as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        total = 0
        progress(PACKAGING, 0, len(entries))
        for done, entry in enumerate(entries, 1):
            total += _add_evidence(zf, vault, entry, infos[entry.evidence_id], stamp)
            progress(PACKAGING, done, len(entries))
        readme = _readme(vault, run, entries).encode("utf-8")
        manifest = _manifest(vault, run, entries, infos, unavailable, stamp, readme, collected)
        manifest_sha = hashlib.sha256(manifest).hexdigest()
        note, proof = _record_custody(vault, entries, out.name, manifest_sha, collected)
        key = vault.verifier_key()
        for name, data in (
            (README, readme),
            (MANIFEST, manifest),
            (CHECKPOINT, note.encode("utf-8")),
            (VERIFIER_KEY, (key + "\n").encode("utf-8")),
            (PROOF, proof),
        ):
            zf.writestr(zip_info(name, stamp), data)
    return PackageReport(
        path=out,
        files=len(entries),
        evidence=len({e.evidence_id for e in entries}),
        bytes=total,
        manifest_sha256=manifest_sha,
        checkpoint=note,
        verifier_key=key,
        unavailable=unavailable,
    )


def _check_target(out: Path) -> None:
    """The target may be replaced, but never through a symlink and never a folder."""
    if out.is_symlink():
        raise InputError(f"{out} is a symbolic link; give the real path of the package")
    if out.is_dir():
        raise InputError(f"{out} is a folder; give a .zip file name")
    if not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist")


# -- writing ---------------------------------------------------------------------------------


def _add_evidence(
    zf: zipfile.ZipFile, vault: Vault, entry: PackageEntry, info: EvidenceInfo, stamp: datetime
) -> int:
    """Decrypt one evidence item into the ZIP, checking its SHA-256 on the way."""
    digest = hashlib.sha256()
    size = 0
    member = zip_info(entry.path, stamp)
    with zf.open(member, "w", force_zip64=info.size >= _ZIP64_FROM) as fh:
        for chunk in vault.read_chunks(entry.evidence_id):
            digest.update(chunk)
            size += len(chunk)
            fh.write(chunk)
    if digest.hexdigest() != info.sha256:
        raise IntegrityError(
            f"{entry.evidence_id}: decrypted content does not match its custody hash"
        )
    return size


def _collecting_events(
    vault: Vault, entries: list[PackageEntry], infos: dict[str, EvidenceInfo]
) -> dict[str, int]:
    """evidence id → seq of the custody event that collected it (issue 15).

    An item whose row no longer matches that event is refused: the package would
    otherwise carry content the custody log never recorded."""
    records, _ = custody.content_records(vault.conn)
    out: dict[str, int] = {}
    for ev in dict.fromkeys(e.evidence_id for e in entries):
        record = records.get(ev)
        if record is None or record.sha256 is None:
            continue  # stored before events carried hashes: the package says so per file
        info = infos[ev]
        if (record.sha256, record.size) != (info.sha256, info.size) or record.conflicts:
            raise IntegrityError(
                f"{ev}: its evidence row differs from the custody event that collected it; "
                "run 'mockaudit vault verify --full'"
            )
        out[ev] = record.seq
    return out


def _readme(vault: Vault, run: Run, entries: list[PackageEntry]) -> str:
    period = f"{run.period_start} to {run.period_end}" if run.period_start else f"{run.period_end}"
    return README_TEXT.format(
        origin=vault.origin,
        run_id=run.id,
        seed=run.seed,
        report_type=run.report_type.value,
        period=period,
        files=len(entries),
        evidence=len({e.evidence_id for e in entries}),
    )


def _manifest(
    vault: Vault,
    run: Run,
    entries: list[PackageEntry],
    infos: dict[str, EvidenceInfo],
    unavailable: tuple[str, ...],
    stamp: datetime,
    readme: bytes,
    collected: dict[str, int],
) -> bytes:
    histories = {
        ev: vault.custody_history(ev) for ev in dict.fromkeys(e.evidence_id for e in entries)
    }
    doc: dict[str, Any] = {
        "schema": PACKAGE_SCHEMA,
        "created_at": stamp.isoformat(),
        "vault": {"origin": vault.origin, "verifier_key": vault.verifier_key()},
        "run": {
            "id": run.id,
            "seed": run.seed,
            "report_type": run.report_type.value,
            "period_start": run.period_start.isoformat() if run.period_start else None,
            "period_end": run.period_end.isoformat(),
            "mockaudit_version": run.mockaudit_version,
        },
        "readme_sha256": hashlib.sha256(readme).hexdigest(),
        "files": [
            {
                "path": e.path,
                "evidence_id": e.evidence_id,
                "sha256": infos[e.evidence_id].sha256,
                "size": infos[e.evidence_id].size,
                "original_name": infos[e.evidence_id].original_name,
                "media_type": infos[e.evidence_id].media_type,
                "control": e.control,
                "request": e.request,
                "custody": [event.fields for event in histories[e.evidence_id]],
                "collected_event": collected.get(e.evidence_id),
                "collected_by": _collected_by(histories[e.evidence_id]),
            }
            for e in entries
        ],
        "unavailable_evidence": list(unavailable),
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _collected_by(history: list[custody.CustodyEvent]) -> str:
    """ "collected by Dana Lee (member dana) on 2026-12-06" (issue 20): the first question an
    auditor asks about a screenshot, answered from the event that brought it in."""
    first = next((ev for ev in history if ev.event in custody.CONTENT_EVENTS), None)
    return first.collected_line if first else "no collection event recorded"


def _record_custody(
    vault: Vault,
    entries: list[PackageEntry],
    package: str,
    manifest_sha: str,
    collected: dict[str, int],
) -> tuple[str, bytes]:
    """One ``exported`` event per file, a signed checkpoint, and the proof binding them."""
    with vault.mutex:
        with db.atomic(vault.conn):
            events = [
                custody.append(
                    vault.conn,
                    "exported",
                    evidence_id=entry.evidence_id,
                    purpose=EXPORT_PURPOSE,
                    destination=f"{package}:{entry.path}",
                    package_manifest_sha256=manifest_sha,
                )
                for entry in entries
            ]
        note = vault.checkpoint()
        text = signed_note.open_note(note, vault.origin, vault.public_key())
        checkpoint = signed_note.parse_checkpoint(text)
        last = events[-1]
        payload = custody.canonical(last.fields)
        leaves = custody.LeafHashes(vault.conn, checkpoint.size)
        if merkle.leaf_hash(payload) != leaves[last.seq]:
            raise IntegrityError(f"custody event #{last.seq} does not match its stored leaf")
        path = merkle.inclusion_proof(leaves, last.seq, checkpoint.size)
        files = [
            _event_proof(vault, leaves, seq, checkpoint.size)
            for seq in sorted(set(collected.values()))
        ]
    proof = {
        "schema": PROOF_SCHEMA,
        "checkpoint": {
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "root": _b64(checkpoint.root),
        },
        "event": {"index": last.seq, "payload": payload.decode("utf-8")},
        "inclusion_proof": [_b64(h) for h in path],
        "collected": files,
    }
    return note, (json.dumps(proof, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _event_proof(vault: Vault, leaves: custody.LeafHashes, seq: int, size: int) -> dict[str, Any]:
    """A stored custody event (its exact payload) and its inclusion proof at ``size``."""
    payload = custody.payload_at(vault.conn, seq)
    return {
        "index": seq,
        "payload": payload.decode("utf-8"),
        "inclusion_proof": [_b64(h) for h in merkle.inclusion_proof(leaves, seq, size)],
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
