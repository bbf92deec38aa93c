"""Remediation records: the ``remediations`` table (migration 0005).

One row per finding identity (``finding_key``), so a record follows its finding across
runs; the session appends a "remediation" custody event with every change.
"""

from __future__ import annotations

import json
from datetime import date

from mockaudit.domain.remediation import CauseCategory, Remediation, RemediationStatus
from mockaudit.vault.db import Connection

_COLUMNS = (
    "finding_key, finding_id, run_id, title, control, cause, category, response, owner, due, "
    "status, reason, approver, evidence_ids, retest_run, updated_at"
)


def upsert(conn: Connection, record: Remediation) -> None:
    """Store ``record``, replacing the earlier record of the same finding."""
    conn.execute(
        f"INSERT OR REPLACE INTO remediations ({_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.key,
            record.finding_id,
            record.run_id,
            record.title,
            record.control,
            record.cause,
            record.category.value if record.category else None,
            record.response,
            record.owner,
            record.due.isoformat() if record.due else None,
            record.status.value,
            record.reason,
            record.approver,
            json.dumps(list(record.evidence_ids)),
            record.retest_run,
            record.updated_at,
        ),
    )


def _exists(conn: Connection) -> bool:
    """False in a vault made before migration 0005 and opened read-only (not migrated)."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'remediations'"
    ).fetchone()
    return row is not None


def get(conn: Connection, key: str) -> Remediation | None:
    if not _exists(conn):
        return None
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM remediations WHERE finding_key = ?", (key,)
    ).fetchone()
    return _record(row) if row else None


def records(conn: Connection, owner: str | None = None) -> list[Remediation]:
    """Every record (only ``owner``'s with an owner), by due date then finding id."""
    if not _exists(conn):
        return []
    sql = f"SELECT {_COLUMNS} FROM remediations"
    args: tuple[str, ...] = ()
    if owner is not None:
        sql, args = sql + " WHERE owner = ?", (owner,)
    rows = conn.execute(sql + " ORDER BY due IS NULL, due, finding_id", args).fetchall()
    return [_record(row) for row in rows]


def _record(row: tuple[object, ...]) -> Remediation:
    (key, fid, run, title, control, cause, category, response, owner, due) = row[:10]
    (status, reason, approver, evidence, retest, updated) = row[10:]
    return Remediation(
        key=str(key),
        finding_id=str(fid),
        run_id=str(run),
        title=str(title),
        control=str(control) if control else None,
        cause=str(cause),
        category=CauseCategory(str(category)) if category else None,
        response=str(response),
        owner=str(owner) if owner else None,
        due=date.fromisoformat(str(due)) if due else None,
        status=RemediationStatus(str(status)),
        reason=str(reason),
        approver=str(approver) if approver else None,
        evidence_ids=tuple(json.loads(str(evidence))),
        retest_run=str(retest) if retest else None,
        updated_at=str(updated),
    )
