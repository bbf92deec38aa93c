"""Stream a vendor's CSV export as dicts keyed by its own header names.

Vendor CSVs repeat column names (Jira writes one ``Labels`` column per label)
and start with a BOM; a repeated column's non-empty values are joined with
``;``. One row is in memory at a time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from mockaudit.errors import InputError

csv.field_size_limit(16 * 1024 * 1024)


def csv_dicts(path: Path) -> Iterator[dict[str, str]]:
    """Each data row as {column: value}; blank rows are skipped."""
    try:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(f"{path.name}: empty file, expected a header row") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path.name} line 1: unreadable CSV ({exc})") from None
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield _keyed(header, cells)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(
                f"{path.name} line {reader.line_num}: unreadable CSV ({exc})"
            ) from None


def _keyed(header: list[str], cells: list[str]) -> dict[str, str]:
    row: dict[str, str] = {}
    for name, value in zip(header, cells, strict=False):
        value = value.strip()
        if name in row:
            row[name] = ";".join(v for v in (row[name], value) if v)
        else:
            row[name] = value
    return row


def pick(row: dict[str, str], *names: str) -> str:
    """The first of ``names`` present in the row (vendors rename columns between versions)."""
    for name in names:
        if name in row:
            return row[name]
    return ""
