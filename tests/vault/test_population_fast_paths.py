"""The import's and the analyses' fast paths mean exactly what the slow definitions mean.

The block-wise day parsing equals ``parse_day``; the ``_blank`` mask equals SQLite's
own blank test; a sorted population (strata read as row-id runs), a table imported
before ``_blank`` existed, and columns past the mask all answer like the reference fake.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockaudit.domain.dates import day_labels, parse_day
from mockaudit.domain.observations import PeriodUnit
from mockaudit.scenarios.loader import load_scenario
from mockaudit.session import Session
from mockaudit.vault import population_queries, population_store
from mockaudit.vault.population_store import MASK_COLUMNS
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.fieldwork.fake_source import FakeSource

FIXTURE = Path(__file__).parents[1] / "scenarios" / "fixtures" / "valid"
START, END = date(2026, 1, 1), date(2026, 6, 30)
HEADER = "pr_id,author,approver,approved_at,merged_at,ci_status,risk_level,deployed_at,bypass_reason,evidence"
EXTRA = [f"x{i}" for i in range(60)]  # pushes the header past MASK_COLUMNS


# ----- pure functions -----

offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(datetime(1900, 1, 2), datetime(2100, 12, 30), timezones=st.none() | offsets)
cells = st.one_of(
    moments.map(datetime.isoformat),
    moments.map(lambda m: m.date().isoformat()),
    moments.map(lambda m: m.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"),
    moments.map(lambda m: f"  {m.isoformat(' ')}\t"),
    st.text(alphabet="0123456789-:TZ +", max_size=12),
)


@given(st.lists(cells, max_size=12))
def test_block_day_labels_equal_parse_day(texts: list[str]) -> None:
    got = population_store._day_labels(texts, population_store._DayLabels())
    want = [day_labels(d) if (d := parse_day(t)) else (None, None) for t in texts]
    assert got == want


@given(
    st.lists(
        st.lists(st.text(alphabet=" \t\n\u00a0\x01!ab", max_size=3), min_size=1, max_size=4),
        min_size=1,
        max_size=8,
    )
)
def test_blank_mask_equals_sqlite_trim(records: list[list[str]]) -> None:
    width = max(len(r) for r in records)
    records = [r + [""] * (width - len(r)) for r in records]
    conn = sqlite3.connect(":memory:")
    want = [
        sum(
            1 << i
            for i, c in enumerate(r)
            if conn.execute("SELECT trim(?) = ''", (c,)).fetchone()[0]
        )
        for r in records
    ]
    assert list(population_store._blank_masks(records)) == want
    # The parsing process's column-wise masks, with its columns shared and then, once a
    # column is found mostly distinct, not: the same masks and the same cells.
    deriver = population_store.Deriver(0, 0)
    for _ in range(2):
        columns, _ = deriver.columns(range(2, 2 + len(records)), records)
        assert columns[width + 2] == want
        assert [list(row) for row in zip(*columns[:width], strict=True)] == records


# ----- through a vault, against the reference fake -----


def _vault_and_fake(tmp_path: Path, csv_text: str) -> tuple[FakeSource, Session]:
    folder = tmp_path / "scenario"
    shutil.copytree(FIXTURE, folder)
    (folder / "populations" / "changes.csv").write_text(csv_text)
    scenario = load_scenario(folder)
    tables = {}
    for pop in scenario.program.populations:
        table = scenario.table(pop.id)
        tables[pop.id] = [dict(zip(table.header, c, strict=True)) for _, c in table.rows()]
    session = Session.create(tmp_path / "vault", PASSPHRASE, kdf=FAST_KDF)
    session.import_scenario(folder)
    return FakeSource(scenario.program, tables), session


def _changes(days: list[date], extra: bool = False) -> str:
    lines = [HEADER + ("," + ",".join(EXTRA) if extra else "")]
    for i, day in enumerate(days):
        approver = "" if i % 7 == 3 else ("   " if i % 11 == 5 else "ben")
        row = f"PR-{i % 150},ana,{approver},{day},{day}T10:00:00Z,success,low,{day},,"
        if extra:
            row += "," + ",".join("" if (i + j) % 5 == 0 else f"v{j}" for j in range(60))
        lines.append(row)
    return "\n".join(lines) + "\n"


def _sorted_days() -> list[date]:
    return sorted(START + timedelta(days=(i * 7) % 200 - 10) for i in range(400))


@pytest.mark.parametrize("unit", [PeriodUnit.MONTH, PeriodUnit.WEEK, PeriodUnit.QUARTER])
def test_sorted_population_strata_and_every_row_match(tmp_path: Path, unit: PeriodUnit) -> None:
    fake, session = _vault_and_fake(tmp_path, _changes(_sorted_days()))
    with session:
        source = session.source()
        frame = source.strata("changes", START, END, unit)
        assert frame == fake.strata("changes", START, END, unit)
        table = next(t for t in session.populations() if t.population_id == "changes")
        days = population_queries.day_counts(session.vault.conn, table)
        for label, count in frame.items():
            ids = population_queries.stratum_rows(
                session.vault.conn, table, START, END, unit, label, days=days
            )
            assert isinstance(ids, range)  # a sorted export: strata are runs of row ids
            for index in range(count):
                got = source.row_at("changes", START, END, unit, label, index)
                assert got == fake.row_at("changes", START, END, unit, label, index)
        with pytest.raises(IndexError):
            source.row_at("changes", START, END, unit, "2026-13", 0)


def test_columns_past_the_mask_and_old_tables_profile_alike(tmp_path: Path) -> None:
    days = [START + timedelta(days=(i * 37) % 220 - 15) for i in range(300)]
    fake, session = _vault_and_fake(tmp_path, _changes(days, extra=True))
    columns = ["approver", "x1", EXTRA[-1], "evidence"]
    assert len(HEADER.split(",")) + len(EXTRA) > MASK_COLUMNS
    with session:
        want = fake.profile("changes", START, END, unit=PeriodUnit.DAY, columns=columns)
        assert want.blanks[EXTRA[-1]].count > 0
        got = session.source().profile("changes", START, END, unit=PeriodUnit.DAY, columns=columns)
        assert got == want
        _same_strata(fake, session)  # unsorted days: strata are scattered row ids
        # a table imported before _blank and the day runs existed: no mask column, no
        # pop_<n>_days, the old day index
        table = next(t for t in session.populations() if t.population_id == "changes").table
        conn = session.vault.conn
        conn.execute(f'DROP INDEX "{table}_blank"')
        conn.execute(f'ALTER TABLE "{table}" DROP COLUMN _blank')
        conn.execute(f'DROP TABLE "{table}_days"')
        conn.execute(f'CREATE INDEX "{table}_day" ON "{table}"(_day, _row)')
        old = session.source().profile("changes", START, END, unit=PeriodUnit.DAY, columns=columns)
        assert old == want
        _same_strata(fake, session)
        assert session.population_page("changes", 0, 3) == list(fake.rows("changes"))[:3]


def _same_strata(fake: FakeSource, session: Session) -> None:
    source = session.source()
    for unit in (PeriodUnit.MONTH, PeriodUnit.WEEK):
        strata = source.strata("changes", START, END, unit)
        assert strata == fake.strata("changes", START, END, unit)
        for label, count in strata.items():
            for index in (0, count // 2, count - 1):
                got = source.row_at("changes", START, END, unit, label, index)
                assert got == fake.row_at("changes", START, END, unit, label, index)


def test_offset_timestamps_are_stored_on_their_utc_day() -> None:
    """The stored day of an offset timestamp is its UTC day, whatever the local zone."""
    late = datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    labels = population_store._day_labels([late.isoformat()], population_store._DayLabels())
    assert labels == [day_labels(late.astimezone(UTC).date())]


def test_day_questions_on_an_unsorted_population_never_sort_in_memory(tmp_path: Path) -> None:
    """A file not sorted by date has about one day run per row. SQLite sorts a GROUP BY or
    an ORDER BY it cannot read from an index in a temporary B-tree, held in memory here
    (temp_store = MEMORY): > 500 MB for a 5M-row population. Every statement the day
    questions run must stream instead."""
    days = [START + timedelta(days=(i * 37) % 180) for i in range(500)]  # no two alike in a row
    _fake, session = _vault_and_fake(tmp_path, _changes(days))
    with session:
        conn = session.vault.conn
        table = next(t for t in session.populations() if t.population_id == "changes")
        runs = conn.execute(f'SELECT count(*) FROM "{table.table}_days"').fetchone()[0]
        assert runs > 400  # the unsorted case this is about
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            population_queries.day_counts(conn, table)
            days_in = population_queries.day_counts(conn, table, START, END)
            population_queries.profile(conn, table, START, END, unit=PeriodUnit.MONTH, columns=[])
            for unit in (PeriodUnit.MONTH, PeriodUnit.WEEK):
                for label in population_queries.strata(conn, table, START, END, unit, days=days_in):
                    population_queries.stratum_rows(conn, table, START, END, unit, label)
        finally:
            conn.set_trace_callback(None)
        day_statements = {s for s in statements if "_days" in s and s.lstrip().startswith("SELECT")}
        assert day_statements
        for sql in day_statements:
            plan = " | ".join(r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", _args(sql)))
            assert "TEMP B-TREE" not in plan, f"{sql}: {plan}"


def _args(sql: str) -> tuple[str, ...]:
    return ("2026-01-01", "2026-06-30")[: sql.count("?")]
