"""The attribute checks of scenario-format.md, applied to one population row.

Each check is compiled once per attribute into a closure that returns ``None``
when the row passes and a short reason when it fails, so the full-population
scan can run a million rows without building a result object per row. Odd cell
values never raise: a date that does not parse fails the check and says so.

Dates: ``before`` compares instants (``parse_instant``: a datetime without an
offset is UTC), except that when either cell is a date alone it compares UTC
calendar days — "approved 2026-03-02T10:00Z, merged 2026-03-02" is not a
deviation, since a bare date means "some time that day". ``within_days``
always counts whole calendar days between the two UTC dates (0 ≤ b − a ≤ days),
the way a policy's "within 1 day" and the reconciliations count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta

from mockaudit.domain.controls import Attribute
from mockaudit.domain.dates import add_business_days, parse_instant
from mockaudit.domain.enums import AttributeCheck
from mockaudit.domain.observations import EvidenceRef, PopulationRow
from mockaudit.domain.run import AttributeResult

Check = Callable[[PopulationRow, Mapping[str, EvidenceRef]], str | None]
"""A compiled attribute check: ``None`` when the row passes, else why it fails."""

_SHOWN = 40  # longest cell value quoted in a detail
_ZERO = timedelta(0)
_SATURDAY = 5
_DATE_LENGTH = 10  # "2026-03-01": a longer date cell carries a time
_fromisoformat = datetime.fromisoformat


def evidence_paths(row: PopulationRow, evidence_column: str | None) -> list[str]:
    """The files a row lists in its evidence column (';'-separated, trimmed, no repeats)."""
    if evidence_column is None:
        return []
    cell = row.values.get(evidence_column, "")
    if ";" not in cell:  # the common case, kept cheap for the full-population scan
        path = cell.strip()
        return [path] if path else []
    return list(dict.fromkeys(part.strip() for part in cell.split(";") if part.strip()))


def evaluate(
    attribute: Attribute,
    row: PopulationRow,
    evidence: Mapping[str, EvidenceRef],
    evidence_column: str | None,
) -> AttributeResult:
    """The result of one attribute on one row (``evidence`` maps the row's paths to refs)."""
    detail = compile_check(attribute, evidence_column)(row, evidence)
    return AttributeResult(attribute=attribute.id, passed=detail is None, detail=detail or "")


def compile_check(attribute: Attribute, evidence_column: str | None) -> Check:
    """The closure that applies ``attribute`` to a row (rows outside its ``when`` pass)."""
    check = _compile(attribute, evidence_column)
    condition = attribute.when
    if condition is None:
        return check
    column, applies = condition.column, condition.applies

    def conditional(row: PopulationRow, evidence: Mapping[str, EvidenceRef]) -> str | None:
        if not applies(row.values.get(column, "")):
            return None
        return check(row, evidence)

    return conditional


def _compile(attribute: Attribute, evidence_column: str | None) -> Check:
    check = attribute.check
    if check is AttributeCheck.EVIDENCE:
        return _evidence(evidence_column)
    if check in (AttributeCheck.PRESENT, AttributeCheck.ABSENT, AttributeCheck.EQUALS):
        field = attribute.field or ""
        if check is AttributeCheck.PRESENT:
            return _present(field)
        if check is AttributeCheck.ABSENT:
            return _absent(field)
        return _equals(field, (attribute.value or "").strip())
    if check is AttributeCheck.IN:
        return _one_of(attribute.field or "", tuple(v.strip() for v in attribute.values or ()))
    first, second = attribute.fields or ("", "")
    if check is AttributeCheck.DIFFERENT:
        return _different(first, second)
    if check is AttributeCheck.BEFORE:
        if attribute.days:
            return _before_grace(first, second, attribute.days, bool(attribute.business_days))
        return _before(first, second)
    return _within_days(first, second, attribute.days or 0, business=bool(attribute.business_days))


def _clip(value: str) -> str:
    """A cell value fit for a one-line detail: whitespace collapsed, long values cut."""
    text = " ".join(value.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _shown(value: str) -> str:
    return repr(_clip(value))


def _present(field: str) -> Check:
    def check(row: PopulationRow, _: Mapping[str, EvidenceRef]) -> str | None:
        return None if row.values.get(field, "").strip() else f"{field} is blank"

    return check


def _absent(field: str) -> Check:
    def check(row: PopulationRow, _: Mapping[str, EvidenceRef]) -> str | None:
        value = row.values.get(field, "").strip()
        return f"{field} is not blank ({_shown(value)})" if value else None

    return check


def _equals(field: str, expected: str) -> Check:
    def check(row: PopulationRow, _: Mapping[str, EvidenceRef]) -> str | None:
        value = row.values.get(field, "").strip()
        if value == expected:
            return None
        if not value:
            return f"{field} is blank, expected {expected!r}"
        return f"{field} is {_shown(value)}, expected {expected!r}"

    return check


def _one_of(field: str, allowed: tuple[str, ...]) -> Check:
    allowed_set = frozenset(allowed)
    listing = ", ".join(allowed)

    def check(row: PopulationRow, _: Mapping[str, EvidenceRef]) -> str | None:
        value = row.values.get(field, "").strip()
        if value in allowed_set:
            return None
        if not value:
            return f"{field} is blank, expected one of {listing}"
        return f"{field} is {_shown(value)}, not one of {listing}"

    return check


def _different(first: str, second: str) -> Check:
    def check(row: PopulationRow, _: Mapping[str, EvidenceRef]) -> str | None:
        a = row.values.get(first, "").strip()
        b = row.values.get(second, "").strip()
        if not a or not b:
            return f"{first if not a else second} is blank"
        if a.lower() == b.lower():
            return f"{second} equals {first} ({_clip(b)})"
        return None

    return check


def _moment(row: PopulationRow, field: str) -> tuple[datetime | None, bool, str]:
    """(instant or None, whether the cell is a date alone, why it is unusable)."""
    text = row.values.get(field, "").strip()
    if not text:
        return None, False, f"{field} is blank"
    moment = _instant(text)
    if moment is None:
        return None, False, f"{field} {_shown(text)} is not a date"
    return moment, len(text) <= _DATE_LENGTH, ""


def _instant(text: str) -> datetime | None:
    """``parse_instant`` (aware, UTC) with a direct fast path for the usual ISO cells."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return parse_instant(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.utcoffset() == _ZERO else moment.astimezone(UTC)


def _before(first: str, second: str) -> Check:
    def slow(row: PopulationRow) -> str | None:
        a, a_day_only, why = _moment(row, first)
        if a is None:
            return why
        b, b_day_only, why = _moment(row, second)
        if b is None:
            return why
        late = a.date() > b.date() if a_day_only or b_day_only else a > b
        if not late:
            return None
        return f"{first} {_cell(row, first)} is after {second} {_cell(row, second)}"

    def check(row: PopulationRow, _: Mapping[str, EvidenceRef]) -> str | None:
        # fast path for two datetimes both with or both without an offset: compare as is
        a_text = row.values.get(first, "").strip()
        b_text = row.values.get(second, "").strip()
        if len(a_text) > _DATE_LENGTH and len(b_text) > _DATE_LENGTH:
            try:
                a, b = _fromisoformat(a_text), _fromisoformat(b_text)
            except ValueError:
                return slow(row)
            if (a.tzinfo is None) is (b.tzinfo is None) and a <= b:
                return None
        return slow(row)

    return check


def _before_grace(first: str, second: str, days: int, business: bool) -> Check:
    """``first`` no later than ``days`` (business) days after ``second``, by calendar day:
    "emergency changes are approved within one business day after merge"."""
    unit = "business day" if business else "day"
    unit += "" if days == 1 else "s"

    def check(row: PopulationRow, _: Mapping[str, EvidenceRef]) -> str | None:
        a, _a_day, why = _moment(row, first)
        if a is None:
            return why
        b, _b_day, why = _moment(row, second)
        if b is None:
            return why
        limit = add_business_days(b.date(), days) if business else b.date() + timedelta(days)
        if a.date() <= limit:
            return None
        return (
            f"{first} {_cell(row, first)} is more than {days} {unit} after {second}"
            f" {_cell(row, second)}"
        )

    return check


def _business_gap(a: date, b: date) -> int:
    """Business days (Monday–Friday) after ``a`` up to and including ``b``; negative if b < a."""
    if b < a:
        return -_business_gap(b, a) or -1
    weeks, rest = divmod((b - a).days, 7)
    extra = sum(1 for i in range(1, rest + 1) if (a + timedelta(days=i)).weekday() < _SATURDAY)
    return weeks * 5 + extra


def _within_days(first: str, second: str, days: int, *, business: bool = False) -> Check:
    unit = "business days" if business else "days"

    def gap_of(a: date, b: date) -> int:
        return _business_gap(a, b) if business else (b - a).days

    def slow(row: PopulationRow) -> str | None:
        a, _a_day, why = _moment(row, first)
        if a is None:
            return why
        b, _b_day, why = _moment(row, second)
        if b is None:
            return why
        gap = gap_of(a.date(), b.date())
        if 0 <= gap <= days and a.date() <= b.date():
            return None
        if b.date() < a.date():
            return f"{second} {_cell(row, second)} is before {first} {_cell(row, first)}"
        return (
            f"{second} {_cell(row, second)} is {gap} {unit} after {first}"
            f" {_cell(row, first)} (limit {days})"
        )

    def check(row: PopulationRow, _: Mapping[str, EvidenceRef]) -> str | None:
        # fast path for two cells without offset (dates, or datetimes meaning UTC)
        try:
            a = _fromisoformat(row.values.get(first, "").strip())
            b = _fromisoformat(row.values.get(second, "").strip())
        except ValueError:
            return slow(row)
        if a.tzinfo is None and b.tzinfo is None and 0 <= gap_of(a.date(), b.date()) <= days:
            return None
        return slow(row)

    return check


def _cell(row: PopulationRow, field: str) -> str:
    return _clip(row.values.get(field, ""))


def _evidence(evidence_column: str | None) -> Check:
    def check(row: PopulationRow, evidence: Mapping[str, EvidenceRef]) -> str | None:
        paths = evidence_paths(row, evidence_column)
        return evidence_problem(paths, missing_paths(paths, evidence), evidence, evidence_column)

    return check


def evidence_problem(
    paths: list[str],
    missing: list[str],
    evidence: Mapping[str, EvidenceRef],
    evidence_column: str | None,
) -> str | None:
    """Why the ``evidence`` check fails on a row listing ``paths`` (``missing``: not in vault)."""
    if evidence_column is None:
        return "the population has no evidence column"
    if not paths:
        return f"no evidence file listed in {evidence_column}"
    if missing:
        return f"{_listing(missing)} not in vault"
    damaged = [p for p in paths if evidence[p].verified is False]
    if damaged:
        return f"{_listing(damaged)} fails verification"
    return None


def _listing(paths: list[str]) -> str:
    return paths[0] if len(paths) == 1 else f"{paths[0]} and {len(paths) - 1} more"


def missing_paths(paths: list[str], evidence: Mapping[str, EvidenceRef]) -> list[str]:
    """Those of ``paths`` the vault does not hold (absent from ``evidence`` counts as missing)."""
    return [p for p in paths if (ref := evidence.get(p)) is None or ref.evidence_id is None]
