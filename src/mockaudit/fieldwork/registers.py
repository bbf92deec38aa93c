"""Reading a register the client produced: which of its own entries it marks overdue.

A policy register, a training report or a vendor list often says itself that an
entry is late ("2025-10-08 (overdue)", an ``overdue`` column > 0). The auditor
reads it and cannot conclude the control operated for those entries. Only
tables are read — Markdown pipe tables and CSV — so prose that merely mentions
the word ("nothing is overdue") is never an exception:

* a data cell whose text says ``overdue`` (not "not overdue" / "no … overdue");
* or a column headed ``overdue`` whose cell is a positive number or yes/true.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from typing import Final

_OVERDUE: Final = re.compile(r"\boverdue\b", re.IGNORECASE)
_NEGATED: Final = re.compile(r"\b(?:not|no|none|never)\b[^|]*\boverdue\b", re.IGNORECASE)
_ITEM_ID: Final = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")
_SEPARATOR: Final = re.compile(r"^[\s|:-]+$")
_YES: Final = frozenset({"yes", "y", "true"})
SHOWN: Final = 160


def overdue_entries(text: str, *, csv_file: bool) -> list[tuple[str, str]]:
    """(entry id, the row as one line) for every table row marking itself overdue."""
    found = []
    for table in _csv_tables(text) if csv_file else _markdown_tables(text):
        header, rows = table[0], table[1:]
        flag = [i for i, name in enumerate(header) if name.strip().lower() == "overdue"]
        for row in rows:
            if _marks_overdue(row, flag):
                found.append((_entry_id(row), " | ".join(c for c in row if c)[:SHOWN]))
    return found


def _marks_overdue(row: Sequence[str], flag_columns: Sequence[int]) -> bool:
    for cell in row:
        if _OVERDUE.search(cell) and not _NEGATED.search(cell):
            return True
    for index in flag_columns:
        value = row[index].strip().lower() if index < len(row) else ""
        if value in _YES or (value.isdigit() and int(value) > 0):
            return True
    return False


def _entry_id(row: Sequence[str]) -> str:
    for cell in row:
        match = _ITEM_ID.search(cell)
        if match:
            return match.group(0)
    return next((c for c in row if c), "entry")


def _markdown_tables(text: str) -> Iterator[list[list[str]]]:
    table: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("|"):
            if not _SEPARATOR.match(stripped):
                table.append([c.strip() for c in stripped.strip("|").split("|")])
            continue
        if len(table) > 1:
            yield table
        table = []


def _csv_tables(text: str) -> Iterator[list[list[str]]]:
    rows = [[c.strip() for c in row] for row in csv.reader(text.splitlines()) if row]
    if len(rows) > 1:
        yield rows
