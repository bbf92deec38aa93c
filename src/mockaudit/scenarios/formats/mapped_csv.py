"""Any other CSV, reshaped with ``--map COLUMN=SOURCE`` and ``--date-format``.

Each mapping names a population column and the source column that fills it; the
source's other columns are kept under their own names. With ``--date-format``,
every mapped value that parses with it becomes ISO (dates) or UTC ISO (times).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from mockaudit.errors import InputError
from mockaudit.scenarios.formats.vendor_csv import csv_dicts


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("author=User Name", …)`` -> {"author": "User Name"}; one-line error otherwise."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, source = pair.partition("=")
        if not sep or not column.strip() or not source.strip():
            raise InputError(f"--map {pair!r}: expected COLUMN=SOURCE")
        mapping[column.strip()] = source.strip()
    return mapping


def read(path: Path, mapping: dict[str, str], date_format: str | None) -> Iterator[dict[str, str]]:
    for line, row in enumerate(csv_dicts(path), start=2):
        if line == 2:
            missing = [s for s in mapping.values() if s not in row]
            if missing:
                raise InputError(f"{path.name}: no column {missing[0]!r} to map from")
        out = dict(row)
        for column, source in mapping.items():
            out[column] = _converted(row.get(source, ""), date_format)
        yield out


def _converted(value: str, date_format: str | None) -> str:
    if date_format is None or not value:
        return value
    try:
        moment = datetime.strptime(value, date_format)  # noqa: DTZ007 - zone-less is UTC
    except ValueError:
        return value
    if any(code in date_format for code in ("%H", "%I", "%M")):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.date().isoformat()
