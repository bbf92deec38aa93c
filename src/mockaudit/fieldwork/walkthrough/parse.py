"""Facts read from a free-text walkthrough answer: how often, how fast, how many, and when.

Why rules and not a language model: the rehearsal must run offline, give the same verdict
for the same answer every time, and be able to say exactly which words it read. Each
parser returns what it found with the words it found it in, so feedback can quote them.
The vocabulary is deliberately small and conservative: a fact that is not recognised
makes an answer "unverified" or "evasive", never a contradiction. Names, systems, places
and yes/no live in ``mentions``.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

NUMBER_WORDS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "a single": 1,
    "single": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "a couple of": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}


_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"


UNIT_DAYS: dict[str, float] = {
    "minute": 1 / 1440,
    "min": 1 / 1440,
    "hour": 1 / 24,
    "hr": 1 / 24,
    "h": 1 / 24,
    "day": 1,
    "business day": 1,
    "working day": 1,
    "week": 7,
    "month": 365 / 12,
    "year": 365,
}


_UNIT = r"(?:business days?|working days?|minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?)"


def normalise(text: str) -> str:
    """Lower case without accents or curly quotes, so "Tomás" and "tomas" match."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("\u2019", "'").replace("\u2018", "'").lower()


def as_written(text: str, words: str) -> str:
    """``words`` (found in the normalised text) as the owner typed them, case and accents."""
    low = normalise(text)
    index = low.find(words)
    if index >= 0 and len(low) == len(text):
        return text[index : index + len(words)]
    return words


def number(word: str) -> float:
    """A digit string or a number word as a number."""
    word = word.strip().lower()
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    return float(word)


def _unit_days(unit: str) -> float:
    unit = unit.strip().lower()
    if unit.endswith("s") and unit[:-1] in UNIT_DAYS:
        unit = unit[:-1]
    return UNIT_DAYS[unit]


class _Spans:
    """Character ranges already explained by an earlier, more specific pattern."""

    def __init__(self) -> None:
        self.taken: list[tuple[int, int]] = []

    def claim(self, match: re.Match[str]) -> bool:
        start, end = match.span()
        if any(start < e and s < end for s, e in self.taken):
            return False
        self.taken.append((start, end))
        return True


EVENT = "event"


CONTINUOUS = "continuous"


PERIODIC = "periodic"


@dataclass(frozen=True)
class FrequencyClaim:
    """One statement of how often: ``kind`` is event, continuous or periodic."""

    kind: str
    interval_days: float | None
    words: str


_PERIODIC: tuple[tuple[str, float], ...] = (
    (r"\b(?:several|many|multiple|a few|dozens of) times (?:a|per|each) day\b", 0.25),
    (r"\b(?:hourly|every hour)\b", 1 / 24),
    (r"\bsemi-?annual(?:ly)?\b|\bbi-?annual(?:ly)?\b|\bhalf-?yearly\b|\btwice a year\b", 182),
    (r"\bevery (?:six|6) months\b|\bevery half(?:-year)?\b", 182),
    (r"\bbi-?weekly\b|\bfortnightly\b|\bevery (?:other|second|two|2) weeks?\b", 14),
    (r"\b(?:every|each|per|end of (?:each|every)) sprint\b", 14),
    (r"\bquarterly\b|\b(?:every|each|once a|per) quarter\b|\bevery (?:three|3) months\b", 91),
    (r"\b(?:four|4) times a year\b", 91),
    (r"\bannual(?:ly)?\b|\byearly\b|\b(?:every|each|once a|per) year\b", 365),
    (r"\bevery (?:twelve|12) months\b", 365),
    (r"\bmonthly\b|\b(?:every|each|once a|per) (?:calendar )?month\b", 30),
    (r"\bweekly\b|\b(?:every|each|once a|per) week\b", 7),
    (r"\bevery (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", 7),
    (r"\bdaily\b|\bnightly\b|\bonce a day\b", 1),
    (r"\b(?:every|each) (?:single )?(?:day|night|morning|evening|weekday)\b", 1),
    (r"\b(?:every|each) (?:business|working) day\b", 1),
)


_EVERY_N = re.compile(rf"\bevery ({_NUM}) ({_UNIT})\b")


_CONTINUOUS = re.compile(
    r"\bcontinuous(?:ly)?\b|\breal[- ]time\b|\balways[- ]on\b|\b24\s*[x/]\s*7\b"
    r"|\bat all times\b|\bconstantly\b|\ball the time\b"
)


_TIME_WORDS = (
    "day|days|night|nights|week|weeks|month|months|quarter|quarters|year|years|morning|"
    "evening|sprint|sprints|business|working|weekday|hour|hours|other|second|single|half|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
)


_EVENT = re.compile(
    rf"\b(?:every|each|for every|for each|on every|on each) (?:new )?"
    rf"(?!(?:{_TIME_WORDS}{_NUM})\b)[a-z][\w-]*"
    r"|\bwhenever\b|\bupon\b|\bas soon as\b|\bon demand\b|\bevent[- ]driven\b"
    r"|\bper (?:request|event|change|hire|ticket|pull request|pr|incident|merge|deploy\w*)\b"
    r"|\bas (?:they|it) (?:happen|happens|come|comes|occur|occurs|arrive|arrives)\b"
    r"|\btriggered by\b|\bas needed\b|\bad[- ]hoc\b|\bwhen needed\b"
)


def frequencies(text: str) -> list[FrequencyClaim]:
    """Every frequency the answer states, most specific patterns first."""
    low = normalise(text)
    spans = _Spans()
    found: list[tuple[int, FrequencyClaim]] = []
    for match in _EVERY_N.finditer(low):
        if spans.claim(match):
            days = number(match.group(1)) * _unit_days(match.group(2))
            found.append((match.start(), FrequencyClaim(PERIODIC, days, match.group(0))))
    for pattern, days in _PERIODIC:
        for match in re.finditer(pattern, low):
            if spans.claim(match):
                found.append((match.start(), FrequencyClaim(PERIODIC, days, match.group(0))))
    for match in _CONTINUOUS.finditer(low):
        if spans.claim(match):
            found.append((match.start(), FrequencyClaim(CONTINUOUS, 0.0, match.group(0))))
    for match in _EVENT.finditer(low):
        if spans.claim(match):
            found.append((match.start(), FrequencyClaim(EVENT, None, match.group(0))))
    return [claim for _, claim in sorted(found, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class Duration:
    """A span of time in days (``inf`` for "forever"), with the words it came from."""

    days: float
    words: str


_DURATION = re.compile(rf"\b({_NUM})\+?[\s-]*({_UNIT})\b")


_ZERO = re.compile(
    r"\bsame[- ]day\b|\bimmediately\b|\bright away\b|\binstantly\b|\bwithin minutes\b"
    r"|\bon the spot\b|\bin real[- ]time\b"
)


_ONE_DAY = re.compile(r"\bnext (?:business |working )?day\b|\bovernight\b")


_FOREVER = re.compile(r"\bforever\b|\bindefinitely\b|\bnever (?:deleted|purged|expire[sd]?)\b")


_RETENTION_CONTEXT = re.compile(r"\b(?:for|retain\w*|retention|kept|keep\w*|stored)\s*$")


def durations(text: str, *, skip_every: bool = True) -> list[Duration]:
    """Every span of time in the text ("within 2 days", "24 hours", "same day").

    With ``skip_every`` the spans of "every 2 weeks" are left out: they are frequencies.
    """
    low = normalise(text)
    spans = _Spans()
    found: list[tuple[int, Duration]] = []
    for match in _DURATION.finditer(low):
        before = low[max(0, match.start() - 7) : match.start()].rstrip()
        if skip_every and before.endswith(("every", "each", "once", "twice", "per", "times")):
            continue
        if not spans.claim(match):
            continue
        try:
            days = number(match.group(1)) * _unit_days(match.group(2))
        except (KeyError, ValueError):
            continue
        found.append((match.start(), Duration(days, match.group(0))))
    for pattern, days in ((_ZERO, 0.0), (_ONE_DAY, 1.0), (_FOREVER, float("inf"))):
        for match in pattern.finditer(low):
            if spans.claim(match):
                found.append((match.start(), Duration(days, match.group(0))))
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]


def retention_durations(text: str) -> list[Duration]:
    """Spans written as retention ("kept for 400 days"), as opposed to deadlines."""
    low = normalise(text)
    out = []
    for match in _DURATION.finditer(low):
        if _RETENTION_CONTEXT.search(low[max(0, match.start() - 30) : match.start()]):
            try:
                days = number(match.group(1)) * _unit_days(match.group(2))
            except (KeyError, ValueError):
                continue
            out.append(Duration(days, match.group(0)))
    return out


def deadline_durations(text: str) -> list[Duration]:
    """Spans that are deadlines: every duration except the retention ones."""
    retention = {d.words for d in retention_durations(text)}
    return [d for d in durations(text) if d.words not in retention]


@dataclass(frozen=True)
class Count:
    value: int
    words: str


_APPROVAL_NOUN = r"(?:approv\w*|review(?:s|ers?|ing)?|sign-?offs?|signatures?)"


_COUNT = re.compile(
    rf"\b(?:at least |exactly |only )?({_NUM})(?: [a-z'-]+){{0,2}} {_APPROVAL_NOUN}\b"
)


_ONE_OTHER = re.compile(
    r"\b(?:someone|somebody|a person|a reviewer|an engineer) other than (?:the|its|their|his|her)"
    r" (?:author|requester|requestor|engineer|grantee)\b"
    r"|\ba second (?:engineer|person|reviewer|approver|pair of eyes)\b"
    r"|\banother (?:engineer|person|reviewer|approver)\b|\bpeer[- ]review\w*\b"
    r"|\bfour[- ]eyes\b"
)


_NONE_NEEDED = re.compile(
    r"\bno (?:approvals?|reviews?|sign-?offs?) (?:is |are )?(?:needed|required)\b"
    r"|\b(?:doesn't|does not|don't|do not) (?:need|require) (?:an? |any )?(?:approvals?|reviews?)\b"
)


def approver_counts(text: str) -> list[Count]:
    """How many approvals the text says are needed ("two approvals", "2 approvers")."""
    low = normalise(text)
    spans = _Spans()
    out: list[tuple[int, Count]] = []
    for match in _NONE_NEEDED.finditer(low):
        if spans.claim(match):
            out.append((match.start(), Count(0, match.group(0))))
    for match in _COUNT.finditer(low):
        word = match.group(1)
        if word in ("a", "an") and len(match.group(0).split()) > 3:
            continue  # "a system-generated user list review": too far to be a count
        if spans.claim(match):
            out.append((match.start(), Count(int(number(word)), match.group(0))))
    for match in _ONE_OTHER.finditer(low):
        if spans.claim(match):
            out.append((match.start(), Count(1, match.group(0))))
    return [c for _, c in sorted(out, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class DayRange:
    """A date as precise as it was written: one day, a month or a quarter."""

    first: date
    last: date
    words: str

    def overlaps(self, start: date, end: date) -> bool:
        return self.first <= end and start <= self.last


_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"


_ISO_DAY = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")


_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH},? (20\d\d)\b")


_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?,? (20\d\d)\b")


_MONTH_YEAR = re.compile(rf"\b{_MONTH},? (20\d\d)\b")


_ISO_MONTH = re.compile(r"\b(20\d\d)-(\d\d)(?!\d)")


_QUARTER = re.compile(r"\b(?:q([1-4])[ -](20\d\d)|(20\d\d)[ -]?q([1-4]))\b")


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(year: int, month: int, words: str) -> DayRange | None:
    if not 1 <= month <= 12:
        return None
    return DayRange(date(year, month, 1), date(year, month, monthrange(year, month)[1]), words)


def dates(text: str) -> list[DayRange]:
    """Every date in the text: ISO days and months, "13 May 2026", "May 2026", "Q2 2026"."""
    low = normalise(text)
    spans = _Spans()
    out: list[tuple[int, DayRange]] = []

    def add(match: re.Match[str], found: DayRange | None) -> None:
        if found is not None and spans.claim(match):
            out.append((match.start(), found))

    for m in _ISO_DAY.finditer(low):
        day = _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        add(m, DayRange(day, day, m.group(0)) if day else None)
    for m in _DAY_MONTH_YEAR.finditer(low):
        day = _day(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
        add(m, DayRange(day, day, m.group(0)) if day else None)
    for m in _MONTH_DAY_YEAR.finditer(low):
        day = _day(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
        add(m, DayRange(day, day, m.group(0)) if day else None)
    for m in _QUARTER.finditer(low):
        quarter = int(m.group(1) or m.group(4))
        year = int(m.group(2) or m.group(3))
        first = date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        last = date(year, last_month, monthrange(year, last_month)[1])
        add(m, DayRange(first, last, m.group(0)))
    for m in _MONTH_YEAR.finditer(low):
        add(m, _month(int(m.group(2)), _MONTHS[m.group(1)], m.group(0)))
    for m in _ISO_MONTH.finditer(low):
        add(m, _month(int(m.group(1)), int(m.group(2)), m.group(0)))
    return [d for _, d in sorted(out, key=lambda pair: pair[0])]
