"""The auditor's analyses over a whole population, in SQL.

Each function answers one ``ProgramSource`` question (fieldwork/ports.py) with a
few aggregate queries over the encrypted table — never by pulling the rows into
Python. ``tests/fieldwork/fake_source.py`` is the reference meaning; the vault
tests check both agree on the same data.

Day-based questions read the table's day runs (``pop_<n>_days``, see
``population_store``): the histogram, a stratum's row ids and the row ids of the
undated or out-of-period examples come from it, so only the few example keys are
read from the encrypted table. Tables imported before the runs existed answer the
same questions from their ``_day`` index.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from operator import itemgetter

from mockaudit.domain import Reconciliation
from mockaudit.domain.dates import parse_day, unit_label
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
from mockaudit.vault.population_store import MASK_COLUMNS, PopulationTable

_IN = "_day BETWEEN ? AND ?"
_OUTSIDE = "(_day < ? OR _day > ?)"  # dated and out of period (NULL compares false)


def _keys(conn: Connection, sql: str, args: Sequence[object]) -> tuple[str, ...]:
    return tuple(str(r[0]) for r in conn.execute(f"{sql} LIMIT {EXAMPLE_LIMIT}", args))


DayCount = tuple[str | None, int, int, int]
"""(stored day or None, rows, first row id, last row id) of one day."""


def day_counts(
    conn: Connection, t: PopulationTable, start: date | None = None, end: date | None = None
) -> list[DayCount]:
    """Rows per stored day (NULL first), in day order; only in [start, end] when given.

    One pass over the day runs (or an older table's ``_day`` index), no table page
    read: every count, bound, gap and stratum of a profile is derived from this
    small histogram.
    """
    runs = _runs_table(conn, t)
    args: tuple[str, ...] = ()
    if start is not None and end is not None:
        args = (start.isoformat(), end.isoformat())
    if runs is not None:
        where = " WHERE day BETWEEN ? AND ?" if args else ""
        spans = conn.execute(
            f'SELECT day, first_row, last_row FROM "{runs}"{where} ORDER BY first_row', args
        )
        return _per_day(spans)
    sql = f'SELECT _day, count(*), min(_row), max(_row) FROM "{t.table}"'
    if args:
        sql += f" WHERE {_IN}"
    rows = conn.execute(sql + " GROUP BY _day ORDER BY _day", args)
    return [(d, int(n), int(a), int(b)) for d, n, a, b in rows]


def _per_day(spans: Iterable[tuple[str | None, int, int]]) -> list[DayCount]:
    """The day runs (in row order) summed per day, NULL first, then in day order.

    Summed here, one run at a time, rather than by SQL's GROUP BY: a file not sorted by
    date has about one run per row, and SQLite sorts a GROUP BY in a temporary B-tree
    held in memory (``temp_store = MEMORY``) — 60 MB per million runs, > 500 MB for a
    5M-row population. Here only one entry per day is held.
    """
    per_day: dict[str | None, list[int]] = {}
    for day, first, last in spans:
        seen = per_day.get(day)
        if seen is None:
            per_day[day] = [last - first + 1, first, last]
        else:  # runs arrive in row order: the first one seen holds the day's lowest row
            seen[0] += last - first + 1
            seen[2] = last
    counts: list[DayCount] = []
    for day in sorted(per_day, key=lambda day: (day is not None, day or "")):
        rows, first, last = per_day[day]
        counts.append((day, rows, first, last))
    return counts


def _runs_table(conn: Connection, t: PopulationTable) -> str | None:
    """The table's day-runs side table, or None for a table imported before it existed."""
    name = f"{t.table}_days"
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return name if found is not None else None


def _run_keys(
    conn: Connection, t: PopulationTable, runs: str, where: str, args: Sequence[object]
) -> tuple[str, ...]:
    """Keys of the first ``EXAMPLE_LIMIT`` rows of the runs matching ``where``, in file
    order: the row-id spans from the runs, then only those rows read from the table."""
    spans = conn.execute(
        f'SELECT first_row, last_row FROM "{runs}" WHERE {where} ORDER BY first_row', args
    ).fetchmany(EXAMPLE_LIMIT)  # each run holds at least one row
    keys: list[str] = []
    for first, last in spans:
        wanted = min(last - first + 1, EXAMPLE_LIMIT - len(keys))
        found = conn.execute(
            f'SELECT _key FROM "{t.table}" WHERE _row >= ? ORDER BY _row LIMIT ?', (first, wanted)
        )
        keys.extend(str(r[0]) for r in found)
        if len(keys) >= EXAMPLE_LIMIT:
            break
    return tuple(keys)


def _undated_keys(conn: Connection, t: PopulationTable) -> tuple[str, ...]:
    runs = _runs_table(conn, t)
    if runs is None:
        return _keys(conn, f'SELECT _key FROM "{t.table}" WHERE _day IS NULL ORDER BY _row', ())
    return _run_keys(conn, t, runs, "day IS NULL", ())


def _outside_keys(conn: Connection, t: PopulationTable, lo: str, hi: str) -> tuple[str, ...]:
    runs = _runs_table(conn, t)
    if runs is None:
        return _keys(conn, f'SELECT _key FROM "{t.table}" WHERE {_OUTSIDE} ORDER BY _row', (lo, hi))
    return _run_keys(conn, t, runs, "(day < ? OR day > ?)", (lo, hi))


def profile(
    conn: Connection,
    t: PopulationTable,
    start: date,
    end: date,
    *,
    unit: PeriodUnit | None,
    columns: Sequence[str],
    days: Sequence[DayCount] | None = None,
) -> PopulationProfile:
    """C&A facts from index reads: one pass over ``_key``, one over the day runs (``days``,
    the histogram, when the caller has it) and the blank rows' partial index.

    Example keys are fetched only for problems that exist, so a clean population
    never reads a table page (SQLCipher decrypts every page it reads).
    """
    q = f'"{t.table}"'
    lo, hi = start.isoformat(), end.isoformat()
    days = day_counts(conn, t) if days is None else days
    rows = sum(d[1] for d in days)
    distinct = int(
        conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {q} GROUP BY _key)").fetchone()[0]
    )
    dup_keys: tuple[str, ...] = ()
    if rows > distinct:
        dup_keys = _keys(
            conn, f"SELECT _key FROM {q} GROUP BY _key HAVING count(*) > 1 ORDER BY min(_row)", ()
        )
    undated = sum(n for d, n, *_ in days if d is None)
    outside = sum(n for d, n, *_ in days if d is not None and not lo <= d <= hi)
    inside = _inside(days, start, end)
    return PopulationProfile(
        population=t.population_id,
        rows=rows,
        distinct_keys=distinct,
        duplicates=Examples(rows - distinct, dup_keys),
        undated=Examples(undated, _undated_keys(conn, t) if undated else ()),
        out_of_period=Examples(outside, _outside_keys(conn, t, lo, hi) if outside else ()),
        in_period=sum(n for _, n in inside),
        first_date=inside[0][0] if inside else None,
        last_date=inside[-1][0] if inside else None,
        blanks=_blanks(conn, t, columns),
        occurrences=_by_label(inside, unit) if unit else {},
        largest_gaps=_largest_gaps([d for d, _ in inside], start, end),
    )


def _blanks(conn: Connection, t: PopulationTable, columns: Sequence[str]) -> dict[str, Examples]:
    """Blank cells of every column asked for.

    Columns in the ``_blank`` mask are counted from the partial index of rows with
    a blank cell (a tiny read); any other column (an older table, or one past
    ``MASK_COLUMNS``) costs one table pass shared by all of them.
    """
    names = list(dict.fromkeys(columns))
    q = f'"{t.table}"'
    masked = _has_mask(conn, t)
    tests: dict[str, str] = {}
    counts: dict[str, int] = {}
    histogram: list[tuple[int, int]] | None = None
    for name in names:
        index = t.columns.index(name) if name in t.columns else -1
        if masked and 0 <= index < MASK_COLUMNS:
            if histogram is None:
                histogram = conn.execute(
                    f"SELECT _blank, count(*) FROM {q} WHERE _blank != 0 GROUP BY _blank"
                ).fetchall()
            bit = 1 << index
            tests[name] = f"_blank != 0 AND _blank & {bit} != 0"
            counts[name] = sum(int(n) for mask, n in histogram if mask & bit)
        else:
            tests[name] = f"trim(coalesce({t.col(name)}, '')) = ''"
    scanned = [name for name in names if name not in counts]
    if scanned:
        sums = ", ".join(f"coalesce(sum({tests[name]}), 0)" for name in scanned)
        row = conn.execute(f"SELECT {sums} FROM {q}").fetchone()
        counts.update(zip(scanned, (int(n) for n in row), strict=True))
    return {
        name: Examples(
            counts[name],
            _keys(conn, f"SELECT _key FROM {q} WHERE {tests[name]} ORDER BY _row", ())
            if counts[name]
            else (),
        )
        for name in names
    }


def _has_mask(conn: Connection, t: PopulationTable) -> bool:
    """Whether the table records blanks in ``_blank`` (tables imported before it do not)."""
    found = conn.execute(
        "SELECT 1 FROM pragma_table_info(?) WHERE name = '_blank'", (t.table,)
    ).fetchone()
    return found is not None


def _largest_gaps(days: Sequence[date], start: date, end: date, top: int = 3) -> tuple[Gap, ...]:
    """The ``top`` longest runs of days without a row, the period's edges counting as rows."""
    bounds = [start - timedelta(days=1), *days, end + timedelta(days=1)]
    gaps = [Gap(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if (b - a).days > 1]
    gaps.sort(key=lambda g: (-g.days, g.after))
    return tuple(gaps[:top])


def _by_label(days: Sequence[tuple[date, int]], unit: PeriodUnit) -> dict[str, int]:
    """Per-day counts summed per unit label (``domain.dates.unit_label``), in label order."""
    out: dict[str, int] = {}
    for day, n in days:
        label = unit_label(day, unit)
        out[label] = out.get(label, 0) + n
    return dict(sorted(out.items()))


def strata(
    conn: Connection,
    t: PopulationTable,
    start: date,
    end: date,
    unit: PeriodUnit,
    *,
    days: Sequence[DayCount] | None = None,
) -> Mapping[str, int]:
    """In-period rows per unit label, from the day histogram (``days`` if already read)."""
    if days is None:
        days = day_counts(conn, t, start, end)
    return _by_label(_inside(days, start, end), unit)


def _inside(days: Sequence[DayCount], start: date, end: date) -> list[tuple[date, int]]:
    lo, hi = start.isoformat(), end.isoformat()
    return [(date.fromisoformat(d), n) for d, n, *_ in days if d is not None and lo <= d <= hi]


def label_days(label: str, unit: PeriodUnit) -> tuple[date, date] | None:
    """The first and last day carrying ``label`` (labels are runs of consecutive days)."""
    try:
        if unit is PeriodUnit.DAY:
            first = last = date.fromisoformat(label)
        else:
            year_text, _, part = label.partition("-")
            year = int(year_text)
            if unit is PeriodUnit.YEAR:
                first, last = date(year, 1, 1), date(year, 12, 31)
            elif unit is PeriodUnit.WEEK:
                week = int(part.removeprefix("W"))
                first, last = (
                    date.fromisocalendar(year, week, 1),
                    date.fromisocalendar(year, week, 7),
                )
            else:
                months = {PeriodUnit.MONTH: 1, PeriodUnit.QUARTER: 3, PeriodUnit.HALF: 6}[unit]
                index = int(part.lstrip("QH")) - 1
                first = date(year, index * months + 1, 1)
                after = first.month + months
                last = date(year + (after > 12), (after - 1) % 12 + 1, 1) - timedelta(days=1)
    except (ValueError, KeyError):
        return None
    if unit_label(first, unit) != label or unit_label(last, unit) != label:
        return None  # not a label unit_label produces
    return first, last


def stratum_rows(
    conn: Connection,
    t: PopulationTable,
    start: date,
    end: date,
    unit: PeriodUnit,
    label: str,
    *,
    days: Sequence[DayCount] | None = None,
) -> Sequence[int]:
    """Every in-period row id of stratum ``label``, in file order (no table page read).

    Exports are usually sorted by date, so a stratum is most often one unbroken
    run of row ids: then its days' counts and first/last ids (from ``days``, the
    histogram, when the caller has it) describe it without fetching a single id.
    """
    span = label_days(label, unit)
    if span is None:
        return range(0)
    lo, hi = max(span[0], start).isoformat(), min(span[1], end).isoformat()
    if days is None:
        days = day_counts(conn, t, max(span[0], start), min(span[1], end))
    mine = [(n, a, b) for d, n, a, b in days if d is not None and lo <= d <= hi]
    count = sum(n for n, _, _ in mine)
    if not count:
        return range(0)
    first, last = min(a for _, a, _ in mine), max(b for _, _, b in mine)
    if last - first + 1 == count:  # distinct ids filling [first, last]: exactly that run
        return range(first, last + 1)
    # Kept as 8-byte machine integers: VaultSource caches a few strata, and a month of
    # a 5M-row population is ~830k ids — 30 MB as a list of ints, 6.6 MB as an array.
    runs = _runs_table(conn, t)
    if runs is None:
        rows = conn.execute(f'SELECT _row FROM "{t.table}" WHERE {_IN}', (lo, hi))
        return array("q", sorted(map(itemgetter(0), rows)))
    ids = array("q")
    spans = conn.execute(
        f'SELECT first_row, last_row FROM "{runs}" WHERE day BETWEEN ? AND ? ORDER BY first_row',
        (lo, hi),
    )
    for first, last in spans:
        ids.extend(range(first, last + 1))
    return ids


def row_by_id(conn: Connection, t: PopulationTable, row_id: int) -> PopulationRow:
    row = conn.execute(f'SELECT * FROM "{t.table}" WHERE _row = ?', (row_id,)).fetchone()
    if row is None:
        raise IndexError(f"{t.population_id}: no row {row_id}")
    return _row(t, row)


def row_at(
    conn: Connection,
    t: PopulationTable,
    start: date,
    end: date,
    unit: PeriodUnit,
    label: str,
    index: int,
) -> PopulationRow:
    """The ``index``-th in-period row of ``label`` (VaultSource caches the stratum instead)."""
    ids = stratum_rows(conn, t, start, end, unit, label)
    if not 0 <= index < len(ids):
        raise IndexError(f"{t.population_id}: no row {index} in {label}")
    return row_by_id(conn, t, ids[index])


def rows(conn: Connection, t: PopulationTable) -> Iterator[PopulationRow]:
    """Every row in file order: the full-population scan reads millions of these.

    Cells come first in the SELECT so ``zip`` with the column names stops before
    _line, _key, _day; a cell is never NULL (the importer writes strings only).
    Rows are made without the frozen dataclass's per-field ``object.__setattr__``
    (a third of the Python cost of a scanned row): the same objects, filled directly.
    """
    cursor = conn.execute(f'SELECT {_cells(t)}, _line, _key, _day FROM "{t.table}" ORDER BY _row')
    columns = t.columns
    days: dict[str | None, date | None] = {None: None}
    new = object.__new__
    for row in cursor:
        text = row[-1]
        day = days.get(text, _UNSEEN)
        if day is _UNSEEN:
            day = days[text] = date.fromisoformat(text)
        made: PopulationRow = new(PopulationRow)
        made.__dict__.update(
            key=row[-2], line=row[-3], day=day, values=dict(zip(columns, row, strict=False))
        )
        yield made


_UNSEEN = date.min  # sentinel, compared by identity (a stored 0001-01-01 is another object)


def _cells(t: PopulationTable) -> str:
    return ", ".join(f"c{i}" for i in range(len(t.columns)))


def _row(t: PopulationTable, row: Sequence[object]) -> PopulationRow:
    # SELECT * order: _row, _line, _key, _day, [_week,] [_blank,] c0… (_week in older tables
    # only, _blank in newer ones): the cells are the last columns
    day = row[3]
    cells = row[len(row) - len(t.columns) :]
    values = dict(zip(t.columns, (str(v) if v is not None else "" for v in cells), strict=True))
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
