"""``vault verify``: database pages, b-tree, custody log, blobs and checkpoints.

Fast (default): SQLCipher's per-page HMACs (``cipher_integrity_check``), SQLite's
``quick_check``, the custody log recomputed, every blob present, the latest
checkpoint consistent. Full (``--full``): ``integrity_check`` and every blob
decrypted and re-hashed. With ``--against FILE`` a checkpoint kept outside the
vault proves the log was not rolled back or rewritten since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from mockaudit.errors import IntegrityError, ProofError
from mockaudit.vault import custody, db, merkle, signed_note
from mockaudit.vault.store import Vault


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blobs_checked: int = 0
    bytes_checked: int = 0
    tree_size: int = 0
    root_hex: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    vault: Vault,
    *,
    full: bool = False,
    against: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    report = VerifyReport()
    with vault.mutex:
        _check_pages(vault, report, full)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("the custody log", lambda: _check_log(vault, report)),
            ("the evidence table", lambda: _check_blobs(vault, report, full, progress)),
            ("the checkpoints", lambda: _check_internal_checkpoint(vault, report)),
        ]
        if against is not None:
            note = against
            steps.append(("the external checkpoint", lambda: _check_external(vault, report, note)))
        for what, step in steps:
            try:
                step()
            except db.DatabaseError:
                report.problems.append(f"vault.db: {what} cannot be read (damaged pages)")
        if against is None:
            report.notes.append(
                "no external checkpoint given: tamper evidence needs --against FILE "
                "(a checkpoint kept outside the vault)"
            )
    return report


def _check_log(vault: Vault, report: VerifyReport) -> None:
    report.problems += custody.check_log(vault.conn)
    report.tree_size = vault.tree_size()
    report.root_hex = custody.root_at(vault.conn, report.tree_size).hex()


def _check_pages(vault: Vault, report: VerifyReport, full: bool) -> None:
    try:
        for (row,) in vault.conn.execute("PRAGMA cipher_integrity_check"):
            report.problems.append(f"vault.db: {row}")
        pragma = "integrity_check" if full else "quick_check"
        rows = [r[0] for r in vault.conn.execute(f"PRAGMA {pragma}")]
    except db.DatabaseError:
        report.problems.append("vault.db: database pages are damaged and cannot be walked")
        return
    if rows != ["ok"]:
        report.problems += [f"vault.db structure: {r}" for r in rows[:20]]


def _check_blobs(
    vault: Vault, report: VerifyReport, full: bool, progress: Callable[[int, int], None] | None
) -> None:
    items = vault.list_evidence()
    total = sum(i.size for i in items) if full else len(items)
    done = 0
    for info in items:
        if not vault.blobs.exists(info.blob_file):
            report.problems.append(f"{info.evidence_id}: encrypted blob is missing (data loss)")
            continue
        if full:
            done += _rehash(vault, info.evidence_id, info.sha256, report)
        else:
            done += 1
        report.blobs_checked += 1
        if progress:
            progress(done, total)
    orphans = vault.blobs.sweep({i.blob_file for i in items}, remove=False)
    if orphans.orphans or orphans.partials_removed:
        report.notes.append(
            f"{len(orphans.orphans)} orphan and {orphans.partials_removed} partial blob file(s) "
            "from an interrupted write; they are removed at the next writable open"
        )


def _rehash(vault: Vault, evidence_id: str, sha256: str, report: VerifyReport) -> int:
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in vault.read_chunks(evidence_id):
            digest.update(chunk)
            size += len(chunk)
    except IntegrityError as exc:
        report.problems.append(f"{evidence_id}: {exc.message}")
        return size
    report.bytes_checked += size
    if digest.hexdigest() != sha256:
        report.problems.append(f"{evidence_id}: content does not match its custody hash")
    return size


def _check_internal_checkpoint(vault: Vault, report: VerifyReport) -> None:
    note = vault.latest_checkpoint()
    if note is None:
        return
    try:
        cp = _open_checkpoint(vault, note)
        _check_consistent(vault, report, cp, "the latest internal checkpoint")
    except ProofError as exc:
        report.problems.append(f"internal checkpoint: {exc.message}")


def _check_external(vault: Vault, report: VerifyReport, note: str) -> None:
    try:
        cp = _open_checkpoint(vault, note)
    except ProofError as exc:
        report.problems.append(f"external checkpoint: {exc.message}")
        return
    if _check_consistent(vault, report, cp, "the external checkpoint"):
        report.notes.append(
            f"consistent with the external checkpoint at size {cp.size} "
            f"(the log grew to {report.tree_size} since)"
        )


def _open_checkpoint(vault: Vault, note: str) -> signed_note.Checkpoint:
    text = signed_note.open_note(note, vault.origin, vault.public_key())
    cp = signed_note.parse_checkpoint(text)
    if cp.origin != vault.origin:
        raise ProofError(f"checkpoint belongs to another vault ({cp.origin})")
    return cp


def _check_consistent(
    vault: Vault, report: VerifyReport, cp: signed_note.Checkpoint, what: str
) -> bool:
    size = report.tree_size
    if cp.size > size:
        report.problems.append(
            f"custody log has {size} events but {what} pinned {cp.size}: "
            "the vault was rolled back or events were removed"
        )
        return False
    leaves = custody.LeafHashes(vault.conn, size)
    root_then = merkle.root(leaves[: cp.size])
    if root_then != cp.root:
        report.problems.append(
            f"custody log does not match {what} at size {cp.size}: earlier events were rewritten"
        )
        return False
    proof = merkle.consistency_proof(leaves, cp.size, size)
    try:
        merkle.verify_consistency(cp.size, size, cp.root, bytes.fromhex(report.root_hex), proof)
    except ProofError:
        report.problems.append(f"consistency proof from {what} to today does not verify")
        return False
    return True
