"""The program (scenario.toml as validated models), its versions, files and stored runs.

Each import that changes the program adds a version with a one-line summary of
what changed; re-importing the same program adds nothing (idempotent). Paths
the program names map to evidence ids in ``program_files`` so the engine can ask
"is evidence/pr/PR-12.png in the vault?" without touching the file system.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from mockaudit.domain import Program
from mockaudit.domain.program import DESCRIPTION_TABLES, PROGRAM_TABLES
from mockaudit.domain.run import Run
from mockaudit.errors import InputError
from mockaudit.vault.db import Connection

_TABLES = PROGRAM_TABLES


_ADDITIONS = ("description", *DESCRIPTION_TABLES)
"""Keys added to the program after version 1 of the store: left out while empty, so a
program without them hashes (and diffs) exactly as it did before they existed."""


def program_json(program: Program) -> str:
    data = program.model_dump(mode="json")
    for key in _ADDITIONS:
        if data.get(key) in (None, []):
            data.pop(key, None)
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def latest_version(conn: Connection) -> int:
    row = conn.execute("SELECT max(version) FROM program_versions").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def load_program(conn: Connection, version: int | None = None) -> Program:
    version = version or latest_version(conn)
    row = conn.execute(
        "SELECT program FROM program_versions WHERE version = ?", (version,)
    ).fetchone()
    if row is None:
        raise InputError("the vault holds no program yet: run 'mockaudit import SCENARIO_DIR'")
    return Program.model_validate_json(row[0])


def save_program(
    conn: Connection, program: Program, *, source: str, stamp: str
) -> tuple[int, list[str]]:
    """Record ``program`` if it differs from the latest version; return (version, changes)."""
    text = program_json(program)
    digest = hashlib.sha256(text.encode()).hexdigest()
    current = latest_version(conn)
    if current:
        row = conn.execute(
            "SELECT sha256, program FROM program_versions WHERE version = ?", (current,)
        ).fetchone()
        if row[0] == digest:
            return current, []
        changes = describe_changes(json.loads(row[1]), json.loads(text))
    else:
        changes = ["first import"]
    conn.execute(
        "INSERT INTO program_versions (version, sha256, program, source, imported_at, changes) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (current + 1, digest, text, source, stamp, json.dumps(changes)),
    )
    return current + 1, changes


def describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """One line per added, removed or changed id in each table, and per changed section."""
    out: list[str] = []
    for section in ("organization", "engagement", "description"):
        if old.get(section) != new.get(section):
            out.append(f"{section} changed")
    for table in _TABLES:
        before = {row["id"]: row for row in old.get(table, [])}
        after = {row["id"]: row for row in new.get(table, [])}
        for key in after.keys() - before.keys():
            out.append(f"{table}: {key} added")
        for key in before.keys() - after.keys():
            out.append(f"{table}: {key} removed")
        for key in sorted(after.keys() & before.keys()):
            if after[key] != before[key]:
                out.append(f"{table}: {key} changed")
    return sorted(out, key=lambda line: (line.split(":")[0], line))


def program_history(conn: Connection) -> list[tuple[int, str, str, list[str]]]:
    rows = conn.execute(
        "SELECT version, imported_at, source, changes FROM program_versions ORDER BY version"
    )
    return [(int(v), str(t), str(s), list(json.loads(c))) for v, t, s, c in rows]


def file_map(conn: Connection) -> dict[str, str]:
    return {str(p): str(e) for p, e in conn.execute("SELECT path, evidence_id FROM program_files")}


def file_hashes(conn: Connection) -> dict[str, str]:
    """path → SHA-256 of what the vault holds for each program file now."""
    rows = conn.execute(
        "SELECT f.path, e.sha256 FROM program_files f JOIN evidence e USING (evidence_id)"
    )
    return {str(p): str(s) for p, s in rows}


def map_files(conn: Connection, pairs: Iterable[tuple[str, str]]) -> None:
    conn.executemany(
        "INSERT INTO program_files (path, evidence_id) VALUES (?, ?) "
        "ON CONFLICT(path) DO UPDATE SET evidence_id = excluded.evidence_id",
        list(pairs),
    )


def store_run(conn: Connection, run: Run) -> None:
    conn.execute(
        "INSERT INTO runs (run_id, seed, started_at, program_version, run) VALUES (?, ?, ?, ?, ?)",
        (run.id, run.seed, run.started_at.isoformat(), run.program_version, run.model_dump_json()),
    )


def load_run(conn: Connection, run_id: str | None = None) -> Run:
    if run_id is None:
        row = conn.execute(
            "SELECT run FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise InputError("no audit run yet: run 'mockaudit audit' first")
    else:
        row = conn.execute("SELECT run FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise InputError(f"no run with id {run_id}")
    return Run.model_validate_json(row[0])


def list_runs(conn: Connection) -> list[tuple[str, int, str, int]]:
    rows = conn.execute(
        "SELECT run_id, seed, started_at, program_version FROM runs ORDER BY started_at, rowid"
    )
    return [(str(r), int(s), str(t), int(v)) for r, s, t, v in rows]
