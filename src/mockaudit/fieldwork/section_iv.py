"""Section IV's result column, in the wording practitioners use (soc2-domain.md §3.4).

Every deviation the auditor found is disclosed, whether or not the control is
still effective: "No exceptions noted." or "Exception noted: 1 of 46 merged pull
requests sampled had the same author and approver (ledger-api#1847)" or
"Exception noted: 1 of 2 quarterly occurrences was not performed (Q2 2026)".
The verdict itself comes from ``domain.tolerable.judge``; this module only words it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from mockaudit.domain.controls import Attribute, Control
from mockaudit.domain.enums import AttributeCheck, Frequency
from mockaudit.domain.populations import Population
from mockaudit.domain.run import SampleItem
from mockaudit.domain.tolerable import Verdict

NO_EXCEPTIONS: Final = "No exceptions noted."
LISTED_ITEMS: Final = 3
_MONTHS: Final = (
    "January February March April May June July August September October November December"
).split()


def item_noun(population: Population | None, fallback: str) -> str:
    """The population's title as a plural noun ('merged pull requests to …'), else its id."""
    if population is None or not population.title.strip():
        return fallback.replace("-", " ")
    title = " ".join(population.title.split())
    return title[0].lower() + title[1:] if title[:2] != title[:2].upper() else title


def period_label(label: str) -> str:
    """'2026-Q2' → 'Q2 2026', '2026-03' → 'March 2026', '2026-H1' → 'H1 2026'."""
    year, _, part = label.partition("-")
    if not part:
        return label
    if part.startswith(("Q", "H")):
        return f"{part} {year}"
    if part.startswith("W"):
        return f"week {int(part[1:])} of {year}"
    if part.isdigit() and len(part) == 2:
        return f"{_MONTHS[int(part) - 1]} {year}"
    return label


def failure_phrase(attribute: Attribute | None, attribute_id: str) -> str:
    """What a deviating item showed, as the end of 'N of M … sampled <phrase>'."""
    if attribute is None:
        return f"failed {attribute_id}"
    a, b = (attribute.fields or ("", ""))[:2]
    field = attribute.field or ""
    check = attribute.check
    phrases = {
        AttributeCheck.PRESENT: f"had no {field}",
        AttributeCheck.ABSENT: f"had a {field} where none is allowed",
        AttributeCheck.EQUALS: f"had {field} other than '{attribute.value}'",
        AttributeCheck.IN: f"had {field} outside {', '.join(attribute.values or ())}",
        AttributeCheck.DIFFERENT: f"had the same {a} and {b}",
        AttributeCheck.BEFORE: f"had {a} after {b}",
        AttributeCheck.EVIDENCE: "had no supporting evidence produced",
    }
    days = attribute.days or 0
    unit = ("business day" if attribute.business_days else "day") + ("" if days == 1 else "s")
    if check is AttributeCheck.WITHIN_DAYS:
        phrase = f"had no {b} within {days} {unit} of {a}"
    elif check is AttributeCheck.BEFORE and days:
        phrase = f"had {a} more than {days} {unit} after {b}"
    else:
        phrase = phrases[check]
    if attribute.when is not None:
        phrase += f" ({attribute.when.describe()})"
    return phrase


def expectation(attribute: Attribute) -> str:
    """What a passing item shows: 'author and approver differ (where change_type is …)'."""
    a, b = (attribute.fields or ("", ""))[:2]
    field = attribute.field or ""
    days = attribute.days or 0
    unit = ("business day" if attribute.business_days else "day") + ("" if days == 1 else "s")
    texts = {
        AttributeCheck.PRESENT: f"{field} is recorded",
        AttributeCheck.ABSENT: f"{field} is blank",
        AttributeCheck.EQUALS: f"{field} is '{attribute.value}'",
        AttributeCheck.IN: f"{field} is one of {', '.join(attribute.values or ())}",
        AttributeCheck.DIFFERENT: f"{a} and {b} differ",
        AttributeCheck.BEFORE: (
            f"{a} is no later than {days} {unit} after {b}" if days else f"{a} is not after {b}"
        ),
        AttributeCheck.WITHIN_DAYS: f"{b} is within {days} {unit} of {a}",
        AttributeCheck.EVIDENCE: "its supporting evidence is produced and verifies",
    }
    text = texts[attribute.check]
    if attribute.when is not None:
        text += f" (where {attribute.when.describe()})"
    return text


def sample_procedure(
    control: Control, noun: str, planned: int, population: int, unit: str, rule: str
) -> str:
    """'Selected a sample of 40 of 300 merged pull requests, spread by month (…), and
    inspected each for: author and approver differ; …'."""
    checks = "; ".join(expectation(a) for a in control.attributes)
    inspected = f", and inspected each for: {checks}" if checks else ""
    return (
        f"Selected a sample of {planned} of {population} {noun}, spread by {unit}"
        f" (sample size: {rule}){inspected}."
    )


def _listing(keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:LISTED_ITEMS])
    more = len(keys) - LISTED_ITEMS
    return shown + (f" and {more} more" if more > 0 else "")


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def sampled_exception(control: Control, items: Sequence[SampleItem], noun: str) -> str:
    """'1 of 46 … sampled had the same author and approver (ledger-api#1847)'."""
    deviating = [item for item in items if item.deviation]
    counts: dict[tuple[str, str], list[str]] = {}
    for item in deviating:
        for result in item.results:
            if not result.passed:
                phrase = _blank(result.detail) or failure_phrase(
                    control.attribute(result.attribute), result.attribute
                )
                counts.setdefault((result.attribute, phrase), []).append(item.key)
    head = f"{len(deviating)} of {len(items)} {noun} sampled"
    if len(counts) == 1:
        (_, phrase), keys = next(iter(counts.items()))
        return f"{head} {phrase} ({_listing(keys)})"
    parts = [f"{len(keys)} {phrase} ({_listing(keys)})" for (_, phrase), keys in counts.items()]
    return f"{head} deviated: {'; '.join(parts)}"


def _blank(detail: str) -> str:
    """'had no approver' when the attribute failed because a cell was blank."""
    field, sep, rest = detail.partition(" is blank")
    plain = not rest.strip(" ,.") or rest.startswith(", expected")
    return f"had no {field}" if sep and plain and " " not in field else ""


def missed_exception(frequency: Frequency, expected: int, missed: Sequence[str]) -> str:
    """'1 of 2 quarterly occurrences was not performed (Q2 2026)'."""
    labels = ", ".join(missed)
    return (
        f"{len(missed)} of {expected} {frequency.value} occurrences"
        f" {_was(len(missed))} not performed ({labels})"
    )


def result_text(
    verdict: Verdict,
    *,
    sampled: str = "",
    missed: str = "",
    planned: int = 0,
    total: int = 0,
) -> str:
    """The Section IV line: the verdict worded, every deviation disclosed."""
    if verdict is Verdict.EFFECTIVE:
        return NO_EXCEPTIONS
    parts = [p for p in (missed, sampled) if p]
    text = "Exception noted: " + "; ".join(parts) if parts else "Exception noted."
    if verdict is Verdict.EFFECTIVE_WITH_EXCEPTION:
        text += (
            f". The sample was expanded from {planned} to {total} items after the deviation;"
            " no further deviation was found"
        )
    return text if text.endswith(".") else text + "."
