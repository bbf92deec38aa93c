"""Row edits that plant a defect: each changes one row the way a real slip would.

An edit changes a row (a dict of texts) in place. The planner picks the rows in
advance; the generator applies the edits while it writes them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from mockaudit.domain import Attribute
from mockaudit.domain.enums import AttributeCheck
from mockaudit.domain.reference_controls import ColumnType, PopulationKind
from mockaudit.scenarios.synthetic.defect_plan import Row, RowEdit


def late_removal(lag: int) -> RowEdit:
    """Access removed ``lag`` days after the termination date."""

    def edit(row: Row) -> None:
        ended = date.fromisoformat(row["terminated_on"])
        row["removed_on"] = (ended + timedelta(days=lag)).isoformat()

    return edit


_WRONG_VALUES = {
    "ci_status": "failure",
    "check_result": "consider",
    "status": "failed",
    "list_source": "spreadsheet",
    "integrity_check": "failed",
    "stored_in": "source-code",
    "opinion": "adverse",
    "method": "resale",
    "audience": "internal-only",
    "result": "deficiency_untracked",
    "severity": "unclassified",
    "type": "unclassified",
}


def mutated_column(attribute: Attribute, kind: PopulationKind) -> str:
    """The column :func:`deviation` changes: never the population's date column."""
    if attribute.field is not None:
        return attribute.field
    first, second = attribute.fields or ("", "")
    if attribute.check is AttributeCheck.DIFFERENT:
        return second
    return second if second != kind.date else first


def deviation(attribute: Attribute, kind: PopulationKind, rng: random.Random) -> RowEdit:
    """An edit that makes ``attribute`` fail on a row without blanking anything.

    ``before`` [a, b] fails when a > b; ``within_days`` [a, b] fails when b - a > days.
    Whichever side is not the date column moves, so the row stays in the period.
    """
    check = attribute.check
    target = mutated_column(attribute, kind)
    if check in (AttributeCheck.EQUALS, AttributeCheck.IN):
        flag = kind.column(target).type is ColumnType.FLAG
        return set_value(target, "no" if flag else _WRONG_VALUES.get(target, "pending"))
    first, second = attribute.fields or ("", "")
    if check is AttributeCheck.DIFFERENT:
        return copy_value(first, second)
    if check is AttributeCheck.BEFORE:
        gap = rng.randint(2, 5)
    else:
        gap = (attribute.days or 0) + rng.randint(2, 6)
    if target == second:  # b := a + gap (within) or a - gap (before)
        return _shift_from(
            second, first, gap if check is AttributeCheck.WITHIN_DAYS else -gap, kind
        )
    return _shift_from(first, second, -gap if check is AttributeCheck.WITHIN_DAYS else gap, kind)


def set_value(column: str, value: str) -> RowEdit:
    """``column`` set to ``value`` (``""`` blanks it)."""

    def edit(row: Row) -> None:
        row[column] = value

    return edit


def copy_value(source: str, target: str) -> RowEdit:
    """``target`` set to whatever ``source`` holds (two fields that must differ agree)."""

    def edit(row: Row) -> None:
        row[target] = row[source]

    return edit


def _shift_from(target: str, anchor: str, days: int, kind: PopulationKind) -> RowEdit:
    """Set ``target`` to ``anchor`` + ``days``, in the target column's own format."""
    as_datetime = kind.column(target).type is ColumnType.DATETIME

    def edit(row: Row) -> None:
        value = row[anchor]
        day = (date.fromisoformat(value[:10]) + timedelta(days=days)).isoformat()
        clock = value[10:] if len(value) > 10 else "T12:00:00Z"
        row[target] = day + clock if as_datetime else day

    return edit
