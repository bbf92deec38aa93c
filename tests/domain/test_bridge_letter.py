"""The bridge letter's rules (soc2-domain.md §3.6): the gap must follow the period end and
stay within 12 months; material changes come from the gap only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mockaudit.domain.bridge_letter import (
    HistoryEntry,
    check_gap,
    draft_bridge_letter,
)
from mockaudit.domain.dates import add_months
from mockaudit.errors import InputError
from mockaudit.scenarios.loader import load_scenario

GLOBEX = Path(__file__).parents[2] / "scenarios" / "globex-renewal-type2"


def test_months_are_calendar_months_clamped_to_the_month_end() -> None:
    assert add_months(date(2026, 6, 30), 3) == date(2026, 9, 30)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 6, 30), 12) == date(2027, 6, 30)


def test_gap_rules() -> None:
    end = date(2026, 6, 30)
    check_gap(end, date(2027, 6, 30))  # twelve months: allowed
    with pytest.raises(InputError, match="13 months after the period end"):
        check_gap(end, date(2027, 7, 31))
    with pytest.raises(InputError, match="not after the period end"):
        check_gap(end, end)


def test_changes_come_from_the_gap_only() -> None:
    program = load_scenario(GLOBEX).program
    history = (
        HistoryEntry(1, "2026-06-01T10:00:00+00:00", ("first import",)),
        HistoryEntry(2, "2026-08-20T10:00:00+00:00", ("controls: IAM-09 added",)),
        HistoryEntry(3, "2026-11-02T10:00:00+00:00", ("controls: IAM-10 added",)),
    )
    letter = draft_bridge_letter(
        program, date(2026, 9, 30), history=history, new_findings=("new since run r1: X",)
    )
    texts = [c.text for c in letter.changes]
    assert texts == [
        "Carrier EDI gateway moved to a second AWS region (us-west-2) for failover (system)",
        "program version 2: controls: IAM-09 added",
        "new since run r1: X",
    ]
    assert "Access certification moved to Okta Identity Governance" not in " ".join(texts)
    assert letter.gap_days == 92 and not letter.longer_than_typical
    assert letter.subservice == ("Amazon Web Services",)
    assert len(letter.cuecs) == 2
