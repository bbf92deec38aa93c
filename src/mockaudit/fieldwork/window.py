"""The dates the auditor tests: the period (Type 2) or the year to the as-of date (Type 1)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from mockaudit.domain import Engagement
from mockaudit.domain.enums import ReportType

TYPE1_LOOKBACK: Final = timedelta(days=365)


def fieldwork_window(engagement: Engagement) -> tuple[date, date]:
    """The dates the auditor tests: the period (Type 2) or the year to the as-of date (Type 1)."""
    if engagement.report_type is ReportType.TYPE2 and engagement.period_start is not None:
        return engagement.period_start, engagement.period_end
    return engagement.period_end - TYPE1_LOOKBACK, engagement.period_end
