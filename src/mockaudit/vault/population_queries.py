"""The auditor's analyses over a whole population, in SQL.

Each function answers one ``ProgramSource`` question (fieldwork/ports.py) with a
few aggregate queries over the encrypted table — never by pulling the rows into
Python. ``tests/fieldwork/fake_source.py`` is the reference meaning; the vault
tests check both agree on the same data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta

from mockaudit.domain import Reconciliation
from mockaudit.domain.dates import parse_day
from mockaudit.domain.observations import (
    EXAMPLE_LIMIT,
    Examples,
    Gap,
    PeriodUnit,
    PopulationProfile,
    PopulationRow,
    ReconciliationBreak,
)
from mockaudit.vault.db import Connection
from mockaudit.vault.population_store import PopulationTable

# SQL for a unit label computed from the stored ISO day/week, matching domain.dates.unit_label.
_LABEL = {
    PeriodUnit.DAY: "_day",
    PeriodUnit.WEEK: "_week",
    PeriodUnit.MONTH: "substr(_day, 1, 7)",
    PeriodUnit.QUARTER: "substr(_day, 1, 4) || '-Q' || "
    "((CAST(substr(_day, 6, 2) AS INTEGER) + 2) / 3)",
    PeriodUnit.HALF: "substr(_day, 1, 4) || '-H' || "
    "(CASE WHEN CAST(substr(_day, 6, 2) AS INTEGER) <= 6 THEN 1 ELSE 2 END)",
    PeriodUnit.YEAR: "substr(_day, 1, 4)",
}
_IN = "_day BETWEEN ? AND ?"


def _examples(conn: Connection, sql: str, args: Sequence[object]) -> Examples:
    count = conn.execute(f"SELECT count(*) FROM ({sql})", args).fetchone()[0]
    keys = [r[0] for r in conn.execute(f"{sql} LIMIT {EXAMPLE_LIMIT}", args)]
    return Examples(int(count), tuple(keys))


def profile(
    conn: Connection,
    t: PopulationTable,
    start: date,
    end: date,
    *,
    unit: PeriodUnit | None,
    columns: Sequence[str],
) -> PopulationProfile:
    q = f'"{t.table}"'
    period = (start.isoformat(), end.isoformat())
    rows, distinct = conn.execute(f"SELECT count(*), count(DISTINCT _key) FROM {q}").fetchone()
    dup_count = conn.execute(
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {q} GROUP BY _key "
        "HAVING n > 1)"
    ).fetchone()[0]
    dup_keys = [
        r[0]
        for r in conn.execute(
            f"SELECT _key FROM {q} GROUP BY _key HAVING count(*) > 1 ORDER BY min(_row) "
            f"LIMIT {EXAMPLE_LIMIT}"
        )
    ]
    undated = _examples(conn, f"SELECT _key FROM {q} WHERE _day IS NULL ORDER BY _row", ())
    outside = _examples(
        conn,
        f"SELECT _key FROM {q} WHERE _day IS NOT NULL AND NOT ({_IN}) ORDER BY _row",
        period,
    )
    in_period, first, last = conn.execute(
        f"SELECT count(*), min(_day), max(_day) FROM {q} WHERE {_IN}", period
    ).fetchone()
    return PopulationProfile(
        population=t.population_id,
        rows=int(rows),
        distinct_keys=int(distinct),
        duplicates=Examples(int(dup_count), tuple(dup_keys)),
        undated=undated,
        out_of_period=outside,
        in_period=int(in_period),
        first_date=date.fromisoformat(first) if first else None,
        last_date=date.fromisoformat(last) if last else None,
        blanks=_blanks(conn, t, columns),
        occurrences=dict(strata(conn, t, start, end, unit)) if unit else {},
        largest_gaps=_largest_gaps(conn, t, start, end),
    )


def _blanks(conn: Connection, t: PopulationTable, columns: Sequence[str]) -> dict[str, Examples]:
    out: dict[str, Examples] = {}
    for name in dict.fromkeys(columns):
        col = t.col(name)
        out[name] = _examples(
            conn,
            f"SELECT _key FROM \"{t.table}\" WHERE trim(coalesce({col}, '')) = '' ORDER BY _row",
            (),
        )
    return out


def _largest_gaps(
    conn: Connection, t: PopulationTable, start: date, end: date, top: int = 3
) -> tuple[Gap, ...]:
    lo = (start - timedelta(days=1)).isoformat()
    hi = (end + timedelta(days=1)).isoformat()
    sql = f"""
        WITH d AS (
            SELECT ? AS day UNION SELECT DISTINCT _day FROM "{t.table}" WHERE {_IN}
            UNION SELECT ?
        ),
        g AS (SELECT lag(day) OVER (ORDER BY day) AS a, day AS b FROM d)
        SELECT a, b FROM g WHERE a IS NOT NULL AND julianday(b) - julianday(a) > 1
        ORDER BY julianday(a) - julianday(b), a LIMIT {top}
    """
    rows = conn.execute(sql, (lo, start.isoformat(), end.isoformat(), hi)).fetchall()
    return tuple(Gap(date.fromisoformat(a), date.fromisoformat(b)) for a, b in rows)


def strata(
    conn: Connection, t: PopulationTable, start: date, end: date, unit: PeriodUnit
) -> Mapping[str, int]:
    label = _LABEL[unit]
    rows = conn.execute(
        f'SELECT {label} AS label, count(*) FROM "{t.table}" WHERE {_IN} GROUP BY label '
        "ORDER BY label",
        (start.isoformat(), end.isoformat()),
    )
    return {str(lab): int(n) for lab, n in rows}


def row_at(
    conn: Connection,
    t: PopulationTable,
    start: date,
    end: date,
    unit: PeriodUnit,
    label: str,
    index: int,
) -> PopulationRow:
    row = conn.execute(
        f'SELECT * FROM "{t.table}" WHERE {_IN} AND {_LABEL[unit]} = ? ORDER BY _row '
        "LIMIT 1 OFFSET ?",
        (start.isoformat(), end.isoformat(), label, index),
    ).fetchone()
    if row is None:
        raise IndexError(f"{t.population_id}: no row {index} in {label}")
    return _row(t, row)


def rows(conn: Connection, t: PopulationTable) -> Iterator[PopulationRow]:
    cursor = conn.execute(f'SELECT * FROM "{t.table}" ORDER BY _row')
    while batch := cursor.fetchmany(2000):
        for row in batch:
            yield _row(t, row)


def _row(t: PopulationTable, row: Sequence[object]) -> PopulationRow:
    # SELECT * order: _row, _line, _key, _day, _week, c0…
    day = row[3]
    values = dict(zip(t.columns, (str(v) if v is not None else "" for v in row[5:]), strict=True))
    return PopulationRow(
        key=str(row[2]),
        line=int(str(row[1])),
        day=date.fromisoformat(str(day)) if day else None,
        values=values,
    )


def install_functions(conn: Connection) -> None:
    """``ma_day(text)``: the row-cell date rule of domain.dates, available to SQL."""

    def ma_day(text: object) -> str | None:
        day = parse_day(str(text)) if text is not None else None
        return day.isoformat() if day else None

    conn.create_function("ma_day", 1, ma_day, deterministic=True)


def reconciliation_breaks(
    conn: Connection,
    left: PopulationTable,
    right: PopulationTable,
    recon: Reconciliation,
    start: date,
    end: date,
) -> list[ReconciliationBreak]:
    install_functions(conn)
    lm, ld = left.col(recon.left_match), left.col(recon.left_date)
    rm, rd = right.col(recon.right_match), right.col(recon.right_date)
    conn.execute("DROP TABLE IF EXISTS temp.recon_right")
    conn.execute(
        f"CREATE TEMP TABLE recon_right AS SELECT lower(trim(coalesce({rm}, ''))) AS m, "
        f'ma_day({rd}) AS d FROM "{right.table}" WHERE ma_day({rd}) IS NOT NULL'
    )
    conn.execute("CREATE INDEX temp.recon_right_md ON recon_right(m, d)")
    try:
        rows = conn.execute(
            f"""
            WITH l AS (
                SELECT _row, _key AS k, ma_day({ld}) AS d, lower(trim(coalesce({lm}, ''))) AS m
                FROM "{left.table}"
            )
            SELECT k, d, (SELECT min(r.d) FROM recon_right r WHERE r.m = l.m AND r.d >= l.d)
            FROM l
            WHERE d BETWEEN ? AND ? AND NOT EXISTS (
                SELECT 1 FROM recon_right r WHERE r.m = l.m AND r.d >= l.d
                AND julianday(r.d) - julianday(l.d) <= ?
            )
            ORDER BY _row
            """,
            (start.isoformat(), end.isoformat(), recon.max_days),
        ).fetchall()
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.recon_right")
    out = []
    for key, left_day, nearest in rows:
        lday = date.fromisoformat(left_day)
        rday = date.fromisoformat(nearest) if nearest else None
        out.append(ReconciliationBreak(str(key), lday, rday, (rday - lday).days if rday else None))
    return out


def page(conn: Connection, t: PopulationTable, offset: int, limit: int) -> list[PopulationRow]:
    """Rows ``offset`` .. ``offset + limit`` in file order: one indexed range read on the
    rowid, so jumping to the millionth row costs the same as the first."""
    rows = conn.execute(
        f'SELECT * FROM "{t.table}" WHERE _row > ? ORDER BY _row LIMIT ?', (offset, limit)
    ).fetchall()
    return [_row(t, row) for row in rows]
