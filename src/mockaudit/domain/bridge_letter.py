"""Management's bridge (gap) letter, drafted from the program (soc2-domain.md §3.6).

A bridge letter is written and signed by the service organisation's management, not the
auditor. It covers the gap between the last report's period end and a date a customer needs
(its year end, or the next report), and states: the prior report period; any material
changes in the system or controls since; that management knows of no other material
changes; a reminder of the complementary user entity controls; and that it is not a SOC
report. It typically covers up to about three months; a report is treated as stale 12 months
after its period end, so a longer gap is refused — the customer needs a new report, not a
letter.

``draft_bridge_letter`` gathers the content; the export layer writes it as Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from mockaudit.domain.dates import add_months
from mockaudit.domain.program import Program
from mockaudit.errors import InputError

_RECORDED: Final = "significant changes recorded in the program"
_VERSIONS: Final = "program version history"
MAX_GAP_MONTHS: Final = 12
TYPICAL_GAP_MONTHS: Final = 3


@dataclass(frozen=True)
class HistoryEntry:
    """One stored program version: when it was imported and what changed in it."""

    version: int
    imported_at: str  # ISO-8601 timestamp, as the vault records it
    changes: tuple[str, ...]


@dataclass(frozen=True)
class MaterialChange:
    """A change since the period end that the letter discloses, and where it was found."""

    on: date | None
    text: str
    source: str  # where it was found: the program's significant changes, its version
    # history (programs imported in the gap) or the comparison of the last two runs


@dataclass(frozen=True)
class BridgeLetter:
    organization: str
    services: str
    report_type: str  # "Type 1" / "Type 2"
    period_start: date | None
    period_end: date
    as_of: date
    changes: tuple[MaterialChange, ...]
    cuecs: tuple[str, ...]
    subservice: tuple[str, ...]  # carved-out subservice organisations, by name

    @property
    def gap_days(self) -> int:
        return (self.as_of - self.period_end).days

    @property
    def longer_than_typical(self) -> bool:
        return self.as_of > add_months(self.period_end, TYPICAL_GAP_MONTHS)


def check_gap(period_end: date, as_of: date) -> None:
    """Refuse an as-of date not after the period end, or more than 12 months after it."""
    if as_of <= period_end:
        raise InputError(
            f"--as-of {as_of} is not after the period end {period_end}: a bridge letter "
            "covers the time after the report's period"
        )
    if as_of > add_months(period_end, MAX_GAP_MONTHS):
        months = (as_of.year - period_end.year) * 12 + as_of.month - period_end.month
        raise InputError(
            f"refused: {as_of} is {months} months after the period end {period_end}; a bridge "
            f"letter cannot cover more than {MAX_GAP_MONTHS} months (the report is stale): "
            "a new SOC 2 examination is needed"
        )


def draft_bridge_letter(
    program: Program,
    as_of: date,
    *,
    history: Sequence[HistoryEntry] = (),
    new_findings: Sequence[str] = (),
) -> BridgeLetter:
    """The letter's content for the gap from the program's period end to ``as_of``.

    Material changes come from the system description's significant changes dated in the
    gap, the program versions imported in the gap (their change lines), and ``new_findings``
    — control gaps the latest audit run found that the run before it did not.
    """
    engagement = program.engagement
    end = engagement.period_end
    check_gap(end, as_of)
    changes = [
        MaterialChange(c.changed_on, f"{c.title} ({c.area})", _RECORDED)
        for c in sorted(program.significant_changes, key=lambda c: c.changed_on)
        if c.significant and end < c.changed_on <= as_of
    ]
    for entry in history:
        day = _day(entry.imported_at)
        if day is None or not end < day <= as_of:
            continue
        changes += [
            MaterialChange(day, f"program version {entry.version}: {line}", _VERSIONS)
            for line in entry.changes
            if line != "first import"
        ]
    changes += [MaterialChange(None, text, "run comparison") for text in new_findings]
    return BridgeLetter(
        organization=program.organization.name,
        services=program.organization.services,
        report_type=engagement.report_type.value.replace("type", "Type "),
        period_start=engagement.period_start,
        period_end=end,
        as_of=as_of,
        changes=tuple(changes),
        cuecs=tuple(c.statement for c in program.cuecs if c.necessary),
        subservice=tuple(v.name for v in program.vendors if v.carved_out),
    )


def _day(stamp: str) -> date | None:
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return None
