"""Stored walkthrough rehearsals: the ``walkthroughs`` table (migration 0004).

Each rehearsal's transcript is an encrypted evidence blob (custody event "transcript");
this table lists it with its score and summary, so readiness needs no decryption.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from mockaudit.domain.evidence import EvidenceInfo
from mockaudit.domain.walkthrough import WalkthroughResult
from mockaudit.domain.walkthrough_readiness import WalkthroughRecord
from mockaudit.errors import InputError
from mockaudit.vault.db import Connection
from mockaudit.vault.population_store import get_table

_COLUMNS = "walkthrough_id, control_id, owner, started_at, evidence_id, score, summary"


def next_id(conn: Connection) -> str:
    """The id the next stored rehearsal gets (WT-000001, WT-000002, …)."""
    row = conn.execute("SELECT max(walkthrough_id) FROM walkthroughs").fetchone()
    number = int(str(row[0]).rsplit("-", 1)[1]) + 1 if row and row[0] else 1
    return f"WT-{number:06d}"


def insert(conn: Connection, stored: WalkthroughResult, evidence_id: str) -> None:
    """List a stored rehearsal (its transcript is evidence ``evidence_id``)."""
    conn.execute(
        f"INSERT INTO walkthroughs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            stored.walkthrough_id,
            stored.control_id,
            stored.owner,
            stored.started_at,
            evidence_id,
            stored.score,
            json.dumps(stored.summary(), sort_keys=True),
        ),
    )


def records(conn: Connection, owner: str | None = None) -> list[WalkthroughRecord]:
    """Stored rehearsals, oldest first; only ``owner``'s with an owner."""
    sql = f"SELECT {_COLUMNS} FROM walkthroughs"
    args: tuple[str, ...] = ()
    if owner is not None:
        sql, args = sql + " WHERE owner = ?", (owner,)
    rows = conn.execute(sql + " ORDER BY started_at, walkthrough_id", args)
    out = []
    for wid, control, who, started, evidence, score, summary in rows.fetchall():
        facts = json.loads(summary)
        out.append(
            WalkthroughRecord(
                walkthrough_id=str(wid),
                control_id=str(control),
                owner=who,
                started_at=str(started),
                evidence_id=evidence,
                score=float(score),
                divergences=tuple(facts.get("divergences", ())),
                evasions=tuple(facts.get("evasions", ())),
                corroborated=bool(facts.get("corroborated", False)),
            )
        )
    return out


def transcript_evidence(conn: Connection, walkthrough_id: str) -> str | None:
    """The evidence id of a rehearsal's transcript; an unknown rehearsal is an InputError."""
    row = conn.execute(
        "SELECT evidence_id FROM walkthroughs WHERE walkthrough_id = ?", (walkthrough_id,)
    ).fetchone()
    if row is None:
        raise InputError(f"no walkthrough with id {walkthrough_id}")
    return str(row[0]) if row[0] else None


def item_days(conn: Connection, infos: Iterable[EvidenceInfo]) -> dict[tuple[str, str], date]:
    """The population date of every item some evidence is linked to, by (population, key)."""
    wanted: dict[str, set[str]] = {}
    for info in infos:
        for link in info.links:
            if link.population_id and link.item_key:
                wanted.setdefault(link.population_id, set()).add(link.item_key)
    days: dict[tuple[str, str], date] = {}
    for population, keys in wanted.items():
        table = get_table(conn, population)
        if table is None:
            continue
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f'SELECT _key, _day FROM "{table.table}" WHERE _key IN ({marks})'
            for key, day in conn.execute(sql, chunk).fetchall():
                if day:
                    days[(population, str(key))] = date.fromisoformat(str(day))
    return days
