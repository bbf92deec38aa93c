"""Small annotated types shared by the program models: ids, dates, strict numbers.

Why not plain ``str``/``int``/``date``: scenario files are hand-written, so a
value of the wrong type must be an error rather than silently coerced
(``likelihood = "3"``, ``declared_count = true``), and dates arrive as TOML
dates, TOML datetimes or ISO-8601 strings and must all mean the same day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr


def _check_identifier(value: str) -> str:
    """Ids are what other tables refer to: blanks or stray spaces would never match."""
    if not value or value != value.strip() or any(ch in value for ch in "\r\n\t"):
        raise ValueError("must be a non-empty id without surrounding spaces")
    return value


def _parse_day(value: object) -> object:
    """Accept a TOML date, a TOML datetime or an ISO-8601 string; return a ``date``.

    A datetime without an offset is UTC; one with an offset is converted to UTC
    before its day is taken, so ``2026-03-01T23:30:00-05:00`` is 2026-03-02.
    Anything else (numbers, booleans) is left for pydantic to reject.
    """
    if isinstance(value, datetime):
        return _utc_day(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return _utc_day(datetime.fromisoformat(text))
        except ValueError:
            raise ValueError(f"not an ISO-8601 date: {value!r}") from None
    raise ValueError("expected a date (YYYY-MM-DD)")


def _utc_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()


Identifier = Annotated[StrictStr, AfterValidator(_check_identifier)]
"""A non-empty id with no surrounding whitespace."""

Day = Annotated[date, BeforeValidator(_parse_day)]
"""A calendar day given as a TOML date, TOML datetime or ISO-8601 string."""

Text = StrictStr
"""Free text; must be a string in the file."""

PositiveCount = Annotated[StrictInt, Field(ge=0)]
"""A non-negative whole number (counts, day spans)."""

Score = Annotated[StrictInt, Field(ge=1, le=5)]
"""A 1..5 rating (risk likelihood and impact)."""
