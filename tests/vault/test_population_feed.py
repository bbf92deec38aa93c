"""A population parsed in a second process: same rows, same errors, nothing left behind.

Large CSV files are parsed and derived in a child process (``vault.population_feed``)
while the writer inserts. Here every population goes that way (the size threshold is
set to 0) and the results are compared with the in-process path: stored rows, the
one-line error of a bad file (same class, same line), all-or-nothing, and a child
that fails or dies becomes a typed error with the child reaped.
"""

from __future__ import annotations

import errno
import os
import subprocess
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from mockaudit.errors import InputError, MockauditError
from mockaudit.services import importer
from mockaudit.session import Session
from mockaudit.vault import custody, population_digest, population_feed, population_queries
from mockaudit.vault.population_feed import FeedStopped, parsed_elsewhere
from mockaudit.vault.population_inserts import ColumnBlock
from mockaudit.vault.population_store import RowBatch
from tests.conftest import FAST_KDF, PASSPHRASE

PROGRAM = """format = "mockaudit.scenario/1"
[organization]
name = "Feed Co"
[engagement]
report_type = "type2"
period_start = 2026-01-01
period_end = 2026-12-31
[[people]]
id = "cto"
name = "CTO"
[[populations]]
id = "changes"
title = "Changes"
system = "github"
file = "populations/changes.csv"
key = "pr_id"
date = "merged_at"
[[controls]]
id = "CHG-01"
title = "Changes are approved"
criteria = ["CC8.1"]
owner = "cto"
frequency = "per_event"
kind = "manual"
nature = "preventive"
risk = "moderate"
population = "changes"
"""
HEADER = "pr_id,author,approver,merged_at,repo\n"


def _row(i: int) -> str:
    day = 1 + i % 28
    merged = f"2026-{1 + i % 12:02d}-{day:02d}" if i % 97 else ""  # some undated rows
    return f"PR-{i % 10_000},dev{i % 7},{'' if i % 89 == 0 else 'lead'},{merged},repo-{i % 3}\n"


def _scenario(folder: Path, body: str) -> Path:
    (folder / "populations").mkdir(parents=True)
    (folder / "scenario.toml").write_text(PROGRAM)
    (folder / "populations" / "changes.csv").write_text(HEADER + body)
    return folder


def _rows(n: int) -> str:
    return "".join(_row(i) for i in range(n))


def _bytes(text: str) -> bytes:
    return text.encode().replace(b"<FF>", b"\xff")


def _import(tmp: Path, name: str, folder: Path, *, elsewhere: bool) -> Session:
    importer.PARSE_ELSEWHERE_BYTES = 0 if elsewhere else 1 << 62
    session = Session.create(tmp / name, PASSPHRASE, kdf=FAST_KDF)
    try:
        session.import_scenario(folder)
    except BaseException:
        session.close()
        raise
    return session


@pytest.fixture(autouse=True)
def _restore_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "PARSE_ELSEWHERE_BYTES", importer.PARSE_ELSEWHERE_BYTES)


def _stored(session: Session) -> tuple[Any, ...]:
    conn = session.vault.conn
    [table] = session.populations()
    rows = [
        (r.key, r.line, r.day, tuple(r.values.items())) for r in session.source().rows("changes")
    ]
    return (
        table.row_count,
        rows,
        population_queries.day_counts(conn, table),
        conn.execute(f'SELECT * FROM "{table.table}_days" ORDER BY first_row').fetchall(),
        conn.execute(f'SELECT _blank, count(*) FROM "{table.table}" GROUP BY 1').fetchall(),
        _custody_digest(session),
    )


def _custody_digest(session: Session) -> tuple[Any, Any]:
    """The rows_loaded event's digest, and the digest of the table as stored now."""
    conn = session.vault.conn
    [table] = session.populations()
    recorded = custody.content_records(conn)[1][table.population_id]
    assert population_digest.rows_digest(conn, table)[1] == recorded["rows_digest"]
    return recorded["row_count"], recorded["rows_digest"]


def test_rows_parsed_in_a_second_process_are_stored_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 12,345 rows: more than two blocks, duplicates, undated rows, blank approvers,
    # days in no order (many runs)
    folder = _scenario(tmp_path / "s", _rows(12_345))
    with _import(tmp_path, "here", folder, elsewhere=False) as here:
        want = _stored(here)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))  # the parsing process inherits it
    monkeypatch.setattr(tempfile, "tempdir", None)
    with _import(tmp_path, "there", folder, elsewhere=True) as there:
        got = _stored(there)
    assert got == want
    assert got[0] == 12_345 and len(got[3]) > 1_000
    assert list(temp.iterdir()) == []  # rows travel through a pipe, never a temp file


BAD_FILES = {
    "wrong width": lambda rows: rows + "PR-x,dev1,lead\n" + rows,
    "bad byte": lambda rows: rows + "PR-y,dev<FF>,lead,2026-01-02,repo-1\n",
    "quoted cell with a bad line later": lambda rows: (
        '"PR-q","a\nb",lead,2026-01-03,repo-1\n' + rows + "PR-z,a\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_gives_the_same_one_line_error_and_stores_nothing(
    tmp_path: Path, kind: str
) -> None:
    body = BAD_FILES[kind](_rows(7_000))
    folder = tmp_path / "s"
    _scenario(folder, "")
    (folder / "populations" / "changes.csv").write_bytes(_bytes(HEADER + body))
    messages = []
    for elsewhere in (False, True):
        with pytest.raises(InputError) as caught:
            _import(tmp_path, f"v-{elsewhere}", folder, elsewhere=elsewhere)
        messages.append(caught.value.message)
        with Session.open(tmp_path / f"v-{elsewhere}", PASSPHRASE) as session:
            assert session.populations() == []  # all or nothing
            names = session.vault.conn.execute(
                "SELECT name FROM sqlite_master WHERE name GLOB 'pop_*'"
            ).fetchall()
            assert names == []
    assert messages[0] == messages[1]
    assert "\n" not in messages[1] and " line " in messages[1]


def _source_of(n: int) -> Iterator[RowBatch]:
    yield range(2, n + 2), [[f"K{i}", "2026-01-01"] for i in range(n)]


def _fails_with_value_error() -> Iterator[RowBatch]:
    yield range(2, 4), [["K1", "2026-01-01"], ["K2", "2026-01-02"]]
    raise ValueError("cell text that must not be shown")


def _fails_with_os_error() -> Iterator[RowBatch]:
    raise PermissionError(errno.EACCES, "Permission denied", "populations/changes.csv")
    yield  # pragma: no cover


def _fails_with_input_error() -> Iterator[RowBatch]:
    raise InputError("populations/changes.csv line 9: 3 fields, header has 5")
    yield  # pragma: no cover


def _dies() -> Iterator[RowBatch]:
    os._exit(3)
    yield  # pragma: no cover


def _drain(source: Any) -> int:
    with parsed_elsewhere(source, 0, 1) as prepared:
        return sum(size for _, size, _ in prepared.blocks)


def test_blocks_come_back_in_order_with_their_runs() -> None:
    with parsed_elsewhere(partial(_source_of, 12_000), 0, 1) as prepared:
        blocks = list(prepared.blocks)
    assert all(isinstance(block, ColumnBlock) for block, _, _ in blocks)
    rows = [row for block, _, _ in blocks for row in block.rows()]
    assert [r[0] for r in rows] == [f"K{i}" for i in range(12_000)]
    assert [r[2] for r in rows] == list(range(2, 12_002))  # _line
    assert sum(size for _, size, _ in blocks) == 12_000
    assert [run for _, _, runs in blocks for run in runs] == [(1, 12_000, "2026-01-01", "2026-W01")]


def test_errors_in_the_child_come_back_typed_and_without_content() -> None:
    with pytest.raises(InputError, match="^populations/changes.csv line 9: 3 fields"):
        _drain(_fails_with_input_error)
    with pytest.raises(OSError) as caught:
        _drain(_fails_with_os_error)
    assert caught.value.errno == errno.EACCES
    assert caught.value.filename == "populations/changes.csv"
    with pytest.raises(FeedStopped) as stopped:
        _drain(_fails_with_value_error)
    assert stopped.value.message == "the CSV parsing process failed (ValueError)"
    with pytest.raises(FeedStopped, match=r"stopped unexpectedly \(exit code 3\)"):
        _drain(_dies)
    assert issubclass(FeedStopped, MockauditError)


def test_a_writer_that_stops_early_leaves_no_child_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        child = real(*args, **kwargs)
        started.append(child)
        return child

    monkeypatch.setattr(population_feed.subprocess, "Popen", recording)
    with pytest.raises(RuntimeError, match="disk gone"):
        with parsed_elsewhere(partial(_source_of, 200_000), 0, 1) as prepared:
            for _ in prepared.blocks:
                raise RuntimeError("disk gone")  # the fill fails after the first block
    [child] = started
    assert child.returncode is not None  # reaped, not left running or a zombie


def test_a_block_missing_a_column_is_refused_not_shifted(tmp_path: Path) -> None:
    """Rows go fifty to a statement as one stream of values: a block one column short
    would shift every later value into the wrong column, so it stops the import."""
    from mockaudit.vault.population_store import PreparedRows, replace_population

    header = ["pr_id", "merged_at"]
    short = [["K1", "K2"], ["2026-01-01", "2026-01-02"], [2, 3], ["K1", "K2"], [0, 0]]  # no _day
    with Session.create(tmp_path / "v", PASSPHRASE, kdf=FAST_KDF) as s:
        conn = s.vault.conn
        whole = [*short, ["2026-01-01", "2026-01-02"]]
        for columns, refused in ((short, True), (whole, False)):
            blocks = [(ColumnBlock(columns), 2, [(1, 2, "2026-01-01", "2026-W01")])]
            conn.execute("BEGIN")
            try:
                if refused:
                    with pytest.raises(RuntimeError, match="a block of 5 columns for 6"):
                        replace_population(conn, "changes", header, PreparedRows(blocks), **_ARGS)
                else:
                    table = replace_population(
                        conn, "changes", header, PreparedRows(blocks), **_ARGS
                    )
                    stored = conn.execute(f'SELECT c0, c1, _line, _key FROM "{table.table}"')
                    assert stored.fetchall() == [
                        ("K1", "2026-01-01", 2, "K1"),
                        ("K2", "2026-01-02", 3, "K2"),
                    ]
            finally:
                conn.execute("ROLLBACK")


_ARGS: dict[str, Any] = {
    "key_column": "pr_id",
    "date_column": "merged_at",
    "source_sha256": "0" * 64,
    "source_path": "changes.csv",
    "imported_at": "2026-12-07T00:00:00+00:00",
}


def test_a_short_row_parsed_here_fails_its_statement_not_shifted(tmp_path: Path) -> None:
    """Rows parsed in the writer go fifty to a statement only when every row of the block
    has the table's width; a short one (no reader yields it today) fails as it always did."""
    from mockaudit.vault import db
    from mockaudit.vault.population_store import replace_population

    header = ["pr_id", "merged_at", "repo"]
    rows = [[f"K{i}", "2026-01-01", "core"] for i in range(120)]
    rows[77] = ["K77", "2026-01-01"]
    with Session.create(tmp_path / "v", PASSPHRASE, kdf=FAST_KDF) as s:
        conn = s.vault.conn
        conn.execute("BEGIN")
        try:
            with pytest.raises(db.DatabaseError, match="bindings"):
                replace_population(conn, "changes", header, [(range(2, 122), rows)], **_ARGS)
        finally:
            conn.execute("ROLLBACK")


def test_an_import_reads_a_json_population_no_more_than_loading_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a JSON table reads its whole array (to learn its columns). Starting the
    parsing processes early must not open one more time: an unchanged JSON population
    is read once per import (the load's header check), a changed one once more (its rows)."""
    import shutil

    from mockaudit.scenarios import loader
    from tests.scenarios.test_loader import VALID, replace

    folder = tmp_path / "s"
    shutil.copytree(VALID, folder)
    (folder / "populations/access-removals.json").write_text(
        '[{"event_id": "OK-1", "email": "zoe@northwind.example", "removed_on": "2026-02-10"}]'
    )
    replace('"populations/access-removals.csv"', '"populations/access-removals.json"')(folder)
    opened: list[str] = []
    real = loader.open_json_rows

    def counting(path: Path, label: str | None = None) -> Any:
        opened.append(path.name)
        return real(path, label)

    monkeypatch.setattr(loader, "open_json_rows", counting)
    with Session.create(tmp_path / "v", PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(folder)
        first, opened[:] = list(opened), []
        s.import_scenario(folder)
    assert first == ["access-removals.json"] * 2  # the load's check, then its rows
    assert opened == ["access-removals.json"]  # unchanged: the load's check only
