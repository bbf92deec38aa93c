"""The client's answers to a run's requests: the ``request_responses`` table (migration 0003).

One answer per (run, request); a later answer replaces the earlier one.
"""

from __future__ import annotations

import json

from mockaudit.domain.responses import RequestResponse
from mockaudit.vault.db import Connection


def upsert(conn: Connection, answer: RequestResponse) -> None:
    """Record ``answer``, replacing an earlier answer to the same request of the run."""
    conn.execute(
        "INSERT INTO request_responses (run_id, code, status, evidence_ids, note, "
        "responded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, code) DO UPDATE "
        "SET status = excluded.status, evidence_ids = excluded.evidence_ids, "
        "note = excluded.note, responded_at = excluded.responded_at",
        (
            answer.run_id,
            answer.code,
            answer.status,
            json.dumps(list(answer.evidence_ids)),
            answer.note,
            answer.responded_at,
        ),
    )


def for_run(conn: Connection, run_id: str) -> dict[str, RequestResponse]:
    """The answers recorded for a run's requests, by request code."""
    rows = conn.execute(
        "SELECT run_id, code, status, evidence_ids, note, responded_at "
        "FROM request_responses WHERE run_id = ? ORDER BY code",
        (run_id,),
    ).fetchall()
    return {
        str(code): RequestResponse(
            str(rid), str(code), str(status), tuple(json.loads(ids)), str(note), str(at)
        )
        for rid, code, status, ids, note, at in rows
    }
