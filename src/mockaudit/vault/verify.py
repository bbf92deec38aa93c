"""``vault verify``: database pages, b-tree, custody log, content and checkpoints.

Fast (default): SQLCipher's per-page HMACs (``cipher_integrity_check``), SQLite's
``quick_check``, the custody log recomputed, every blob present, each evidence row's
hash and size equal to what its custody event recorded, each population's row count
equal to its ``rows_loaded`` event, the latest checkpoint consistent. Full
(``--full``): ``integrity_check``, every blob decrypted and re-hashed and every
population's rows re-digested — compared with the *custody log*, never with the
editable ``evidence.sha256`` / ``populations.row_count`` columns. With ``--against
FILE`` a checkpoint kept outside the vault proves the log was not rolled back or
rewritten since; together with ``--full`` that proves the content too.

Without ``--against`` nothing proves the log itself is the one that was signed: a
passphrase holder can rebuild and re-sign it. The verdict says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockaudit.domain.evidence import EvidenceInfo
from mockaudit.errors import IntegrityError, ProofError
from mockaudit.vault import custody, db, merkle, population_digest, row_digest, signed_note
from mockaudit.vault.population_store import all_tables
from mockaudit.vault.store import Vault

RESTORE_HINT = (
    "quarantine/ holds blob files no row of vault.db references: crash leftovers, or evidence "
    "a restored older vault.db does not know. To keep them, restore the vault.db they belong "
    "with and move them back under blobs/<first character>/; to delete them for good run "
    "'mockaudit vault purge-quarantine'"
)


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blobs_checked: int = 0
    bytes_checked: int = 0
    populations_checked: int = 0
    tree_size: int = 0
    root_hex: str = ""
    full: bool = False
    against_size: int | None = None  # the external checkpoint's size when one was given
    quarantined: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def verdict(self) -> list[str]:
        """The closing lines, saying exactly what was and was not proven."""
        if not self.ok:
            return [f"vault verification failed: {len(self.problems)} problem(s) listed above"]
        lines = []
        if self.full:
            lines.append(
                "no problems found: every blob re-hashed and every population re-digested "
                "against the custody log"
            )
        else:
            lines.append("no problems found: structure checked (run --full to re-hash every file)")
        if self.against_size is None:
            lines.append(
                "history checked only against itself: anyone with the passphrase can re-sign "
                "it; give --against CHECKPOINT (kept outside the vault) to prove it"
            )
        else:
            lines.append(
                f"history proven against the external checkpoint (size {self.against_size})"
                + ("" if self.full else "; content not re-hashed")
            )
        return lines


def verify(
    vault: Vault,
    *,
    full: bool = False,
    against: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    report = VerifyReport(full=full)
    records = _Records(vault)
    with vault.mutex:
        _check_pages(vault, report, full)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("the custody log", lambda: _check_log(vault, report)),
            ("the evidence table", lambda: _check_blobs(vault, report, full, progress, records)),
            ("the populations", lambda: _check_populations(vault, report, full, records)),
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
        _list_quarantine(vault, report)
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


class _Records:
    """What the custody log recorded about content: one pass, shared by two steps."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._found: tuple[dict[str, custody.ContentRecord], dict[str, dict[str, Any]]] | None
        self._found = None

    def get(self) -> tuple[dict[str, custody.ContentRecord], dict[str, dict[str, Any]]]:
        if self._found is None:
            self._found = custody.content_records(self._vault.conn)
        return self._found


def _check_blobs(
    vault: Vault,
    report: VerifyReport,
    full: bool,
    progress: Callable[[int, int], None] | None,
    records: _Records,
) -> None:
    items = vault.list_evidence()
    recorded = records.get()[0]
    total = sum(i.size for i in items) if full else len(items)
    done = 0
    legacy = []
    for info in items:
        record = recorded.get(info.evidence_id)
        if not _row_matches_custody(info, record, report):
            legacy += [info.evidence_id] if record is not None else []
        if not vault.blobs.exists(info.blob_file):
            report.problems.append(f"{info.evidence_id}: encrypted blob is missing (data loss)")
            continue
        expected = record.sha256 if record is not None and record.sha256 else info.sha256
        size = record.size if record is not None and record.size is not None else info.size
        if full:
            done += _rehash(vault, info.evidence_id, expected, size, report)
        else:
            done += 1
        report.blobs_checked += 1
        if progress:
            progress(done, total)
    if legacy:
        report.notes.append(
            f"{len(legacy)} evidence item(s) ({_ids(legacy)}) were stored before custody events "
            "recorded content hashes: checked against the evidence table only"
        )
    orphans = vault.blobs.sweep({i.blob_file for i in items}, act=False)
    if orphans.orphans or orphans.partials_removed:
        report.notes.append(
            f"{len(orphans.orphans)} blob file(s) no row references and "
            f"{orphans.partials_removed} partial one(s) from an interrupted write: the next "
            "writable open moves the first to quarantine/ and removes the second"
        )


def _row_matches_custody(
    info: EvidenceInfo, record: custody.ContentRecord | None, report: VerifyReport
) -> bool:
    """False only for a legacy record (no hash); problems for anything that differs."""
    ev = info.evidence_id
    if record is None:
        report.problems.append(
            f"{ev}: no custody event records its content "
            "(its event was deleted, or the row was added outside mockaudit)"
        )
        return True
    for seq in record.conflicts:
        report.problems.append(f"{ev}: custody event #{seq} records different content")
    if record.sha256 is None:
        return False
    if record.sha256 != info.sha256 or (record.size is not None and record.size != info.size):
        report.problems.append(
            f"{ev}: evidence row says sha256 {info.sha256[:12]}…, custody event "
            f"#{record.seq} recorded {record.sha256[:12]}… (the row was edited)"
        )
    return True


def _ids(ids: list[str]) -> str:
    return ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _rehash(vault: Vault, evidence_id: str, sha256: str, size: int, report: VerifyReport) -> int:
    digest = hashlib.sha256()
    seen = 0
    try:
        for chunk in vault.read_chunks(evidence_id):
            digest.update(chunk)
            seen += len(chunk)
    except IntegrityError as exc:
        report.problems.append(f"{evidence_id}: {exc.message}")
        return seen
    report.bytes_checked += seen
    if digest.hexdigest() != sha256 or seen != size:
        report.problems.append(
            f"{evidence_id}: content does not match the SHA-256 its custody event recorded "
            f"(the blob was replaced)"
        )
    return seen


def _check_populations(vault: Vault, report: VerifyReport, full: bool, records: _Records) -> None:
    recorded = dict(records.get()[1])
    legacy = []
    tables = all_tables(vault.conn)
    for table in tables:
        pid = table.population_id
        event = recorded.pop(pid, None)
        if event is None:
            legacy.append(pid)
            continue
        if event.get("table") != table.table:
            report.problems.append(
                f"population {pid}: stored in {table.table}, custody event #{event['seq']} "
                f"recorded {event.get('table')}"
            )
            continue
        alg = str(event.get("rows_digest_alg", row_digest.DIGEST_ALG_V1))
        if full and alg not in row_digest.ALGORITHMS:
            report.problems.append(
                f"population {pid}: custody event #{event['seq']} names an unknown row "
                f"digest ({alg}); a newer mockaudit wrote it"
            )
            continue
        if full:
            count, digest = population_digest.rows_digest(vault.conn, table, alg)
        else:
            count = int(vault.conn.execute(f'SELECT count(*) FROM "{table.table}"').fetchone()[0])
            digest = event.get("rows_digest", "")
        report.populations_checked += 1
        if not population_digest.recorded_matches(event, count, str(digest)):
            what = (
                f"{count} rows, custody event #{event['seq']} recorded {event.get('row_count')}"
                if count != event.get("row_count")
                else f"row digest differs from custody event #{event['seq']}"
            )
            report.problems.append(f"population {pid}: rows were changed ({what})")
        elif count != table.row_count:
            report.problems.append(f"population {pid}: populations.row_count was edited")
    for pid, event in sorted(recorded.items()):
        report.problems.append(
            f"population {pid}: custody event #{event['seq']} recorded its rows, "
            "but the population is gone"
        )
    if legacy:
        report.notes.append(
            f"population(s) {_ids(legacy)} were loaded before custody recorded row digests: "
            "re-import them to bind their rows"
        )


def _list_quarantine(vault: Vault, report: VerifyReport) -> None:
    files = vault.blobs.quarantined()
    report.quarantined = [f.name for f in files]
    if files:
        report.notes.append(f"{len(files)} file(s) in quarantine/: {_ids(report.quarantined)}")
        report.notes.append(RESTORE_HINT)


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
        report.against_size = cp.size
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
            f"custody log has {size} events but {what} pinned {cp.size}: events "
            f"#{size}–#{cp.size - 1} are missing (the vault was rolled back or events were removed)"
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
