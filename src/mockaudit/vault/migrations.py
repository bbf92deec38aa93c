"""Ordered, named schema migrations, each recorded in ``_mockaudit_migrations``.

A migration is applied once, inside the same transaction as its record, so a
crash mid-migration leaves the vault at the previous version. New migrations are
appended to ``MIGRATIONS``; existing ones are never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from mockaudit.vault.db import Connection, atomic

Migration = tuple[str, Callable[[Connection], None]]


def _run(conn: Connection, statements: list[str]) -> None:
    # Not executescript(): it commits first, which would break the migration's transaction.
    for statement in statements:
        conn.execute(statement)


def _m001_core(conn: Connection) -> None:
    _run(conn, _CORE)


_CORE = [
    s.strip()
    for s in """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE secrets (
            name TEXT PRIMARY KEY,
            wrapped BLOB NOT NULL,
            public BLOB
        );
        CREATE TABLE evidence (
            evidence_id TEXT PRIMARY KEY,
            blob_file TEXT NOT NULL UNIQUE,
            sha256 TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            wrapped_dek BLOB NOT NULL,
            original_name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            source TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE evidence_links (
            evidence_id TEXT NOT NULL REFERENCES evidence(evidence_id),
            control_id TEXT NOT NULL DEFAULT '',
            population_id TEXT NOT NULL DEFAULT '',
            item_key TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (evidence_id, control_id, population_id, item_key)
        );
        CREATE INDEX evidence_links_control ON evidence_links(control_id);
        CREATE INDEX evidence_links_item ON evidence_links(population_id, item_key);
        CREATE TABLE custody (
            seq INTEGER PRIMARY KEY,
            event_type TEXT NOT NULL,
            evidence_id TEXT,
            payload BLOB NOT NULL,
            leaf_hash BLOB NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX custody_evidence ON custody(evidence_id);
        CREATE TRIGGER custody_append_only_update BEFORE UPDATE ON custody
            BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
        CREATE TRIGGER custody_append_only_delete BEFORE DELETE ON custody
            BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
        CREATE TABLE checkpoints (
            size INTEGER PRIMARY KEY,
            root BLOB NOT NULL,
            note TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
    """.split(";\n")
    if s.strip()
]


def _m002_program(conn: Connection) -> None:
    _run(conn, _PROGRAM)


_PROGRAM = [
    s.strip()
    for s in """
        CREATE TABLE program_versions (
            version INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL,
            program TEXT NOT NULL,
            source TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            changes TEXT NOT NULL
        );
        CREATE TABLE program_files (
            path TEXT PRIMARY KEY,
            evidence_id TEXT NOT NULL REFERENCES evidence(evidence_id)
        );
        CREATE TABLE populations (
            population_id TEXT PRIMARY KEY,
            table_name TEXT NOT NULL UNIQUE,
            columns TEXT NOT NULL,
            key_column TEXT NOT NULL,
            date_column TEXT NOT NULL,
            row_count INTEGER NOT NULL,
            source_sha256 TEXT NOT NULL,
            source_path TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            seed INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            program_version INTEGER NOT NULL,
            run TEXT NOT NULL
        );
    """.split(";\n")
    if s.strip()
]


def _m003_responses(conn: Connection) -> None:
    # What the client answered to each request of a run (attach evidence / not available).
    conn.execute(
        "CREATE TABLE request_responses (run_id TEXT NOT NULL, code TEXT NOT NULL, "
        "status TEXT NOT NULL, evidence_ids TEXT NOT NULL DEFAULT '[]', note TEXT NOT NULL "
        "DEFAULT '', responded_at TEXT NOT NULL, PRIMARY KEY (run_id, code))"
    )


def _m004_walkthroughs(conn: Connection) -> None:
    # One row per walkthrough rehearsal; the transcript itself is an encrypted evidence blob.
    conn.execute(
        "CREATE TABLE walkthroughs (walkthrough_id TEXT PRIMARY KEY, control_id TEXT NOT NULL, "
        "owner TEXT, started_at TEXT NOT NULL, evidence_id TEXT REFERENCES evidence(evidence_id), "
        "score REAL NOT NULL, summary TEXT NOT NULL)"
    )
    conn.execute("CREATE INDEX walkthroughs_owner ON walkthroughs(owner)")


def _m005_remediations(conn: Connection) -> None:
    # Management's response and remediation per finding, keyed on the finding's identity
    # across runs (issue 18); changes are recorded as "remediation" custody events.
    conn.execute(
        "CREATE TABLE remediations (finding_key TEXT PRIMARY KEY, finding_id TEXT NOT NULL, "
        "run_id TEXT NOT NULL, title TEXT NOT NULL, control TEXT, cause TEXT NOT NULL "
        "DEFAULT '', category TEXT, response TEXT NOT NULL DEFAULT '', owner TEXT, due TEXT, "
        "status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', approver TEXT, "
        "evidence_ids TEXT NOT NULL DEFAULT '[]', retest_run TEXT, updated_at TEXT NOT NULL)"
    )
    conn.execute("CREATE INDEX remediations_owner ON remediations(owner)")


MIGRATIONS: list[Migration] = [
    ("0001_core", _m001_core),
    ("0002_program", _m002_program),
    ("0003_responses", _m003_responses),
    ("0004_walkthroughs", _m004_walkthroughs),
    ("0005_remediations", _m005_remediations),
]


def applied(conn: Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _mockaudit_migrations "
        "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return [row[0] for row in conn.execute("SELECT name FROM _mockaudit_migrations ORDER BY name")]


def pending(conn: Connection) -> list[str]:
    done = set(applied(conn))
    return [name for name, _ in MIGRATIONS if name not in done]


def migrate(conn: Connection) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names."""
    done = set(applied(conn))
    ran: list[str] = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        with atomic(conn):
            step(conn)
            conn.execute(
                "INSERT INTO _mockaudit_migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        ran.append(name)
    return ran
