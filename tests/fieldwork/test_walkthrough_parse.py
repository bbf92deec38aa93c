"""Reading frequencies, durations, counts, dates, people and systems out of free-text answers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockaudit.domain import Frequency
from mockaudit.fieldwork.walkthrough import mentions as mentions
from mockaudit.fieldwork.walkthrough import parse as parse
from mockaudit.fieldwork.walkthrough.checks import frequency_fits


@pytest.mark.parametrize(
    ("text", "kind", "days"),
    [
        ("weekly", parse.PERIODIC, 7),
        ("every sprint", parse.PERIODIC, 14),
        ("Every two weeks", parse.PERIODIC, 14),
        ("quarterly", parse.PERIODIC, 91),
        ("every 90 days", parse.PERIODIC, 90),
        ("twice a year", parse.PERIODIC, 182),
        ("semi-annually", parse.PERIODIC, 182),
        ("Nightly at 02:00", parse.PERIODIC, 1),
        ("once a year", parse.PERIODIC, 365),
        ("continuously, in real time", parse.CONTINUOUS, 0),
        ("every pull request", parse.EVENT, None),
        ("whenever someone leaves", parse.EVENT, None),
    ],
)
def test_frequency_words_and_numbers(text: str, kind: str, days: float | None) -> None:
    first = parse.frequencies(text)[0]
    assert (first.kind, first.interval_days) == (kind, days)


def test_semiannual_is_not_read_as_annual() -> None:
    assert [c.interval_days for c in parse.frequencies("semi-annual review")] == [182]


@pytest.mark.parametrize(
    ("stated", "documented", "fits"),
    [
        ("weekly", Frequency.WEEKLY, True),
        ("every sprint", Frequency.WEEKLY, False),
        ("every 90 days", Frequency.QUARTERLY, True),
        ("monthly", Frequency.QUARTERLY, True),  # more often than documented is fine
        ("annually", Frequency.QUARTERLY, False),
        ("every pull request", Frequency.PER_EVENT, True),
        ("weekly", Frequency.PER_EVENT, False),
        ("every pull request", Frequency.DAILY, False),
        ("continuously", Frequency.DAILY, True),
    ],
)
def test_frequency_fits_the_documented_one(stated: str, documented: Frequency, fits: bool) -> None:
    assert frequency_fits(parse.frequencies(stated)[0], documented) is fits


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("within 2 days", 2),
        ("24 hours", 1),
        ("48h", 2),
        ("within one business day", 1),
        ("the same day", 0),
        ("by the next day", 1),
        ("within three days", 3),
        ("a week", 7),
    ],
)
def test_durations(text: str, days: float) -> None:
    assert [d.days for d in parse.durations(text)] == [days]


def test_a_frequency_is_not_a_deadline_and_retention_is_not_either() -> None:
    assert [d.days for d in parse.durations("once a month, fixed within 7 days")] == [7]
    text = "Logs are kept for 400 days; alerts are handled within 1 day."
    assert [d.days for d in parse.retention_durations(text)] == [400]
    assert [d.days for d in parse.deadline_durations(text)] == [1]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("two approvals", 2),
        ("2 approvers", 2),
        ("one approving review", 1),
        ("at least one reviewer", 1),
        ("approved by someone other than its author", 1),
        ("a second engineer signs off", 1),
        ("no approval is needed", 0),
    ],
)
def test_approver_counts(text: str, count: int) -> None:
    assert [c.value for c in parse.approver_counts(text)] == [count]


def test_a_list_under_review_is_not_an_approver_count() -> None:
    assert parse.approver_counts("owners review a system-generated user list") == []


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-05-13", date(2026, 5, 13), date(2026, 5, 13)),
        ("on 13 May 2026", date(2026, 5, 13), date(2026, 5, 13)),
        ("May 13th, 2026", date(2026, 5, 13), date(2026, 5, 13)),
        ("in May 2026", date(2026, 5, 1), date(2026, 5, 31)),
        ("Q2 2026", date(2026, 4, 1), date(2026, 6, 30)),
        ("UAR-2026Q1-okta", date(2026, 1, 1), date(2026, 3, 31)),
    ],
)
def test_dates_keep_their_precision(text: str, first: date, last: date) -> None:
    [found] = parse.dates(text)
    assert (found.first, found.last) == (first, last)


def test_systems_are_canonical_and_documented_names_map_to_the_same_ids() -> None:
    said = mentions.systems("Exported from Okta and AWS into a Google Sheet, posted in Slack")
    assert [m.id for m in said] == ["okta", "aws", "spreadsheet", "slack"]
    assert mentions.canonical_system("aws-prod") == "aws"
    assert mentions.canonical_system("terraform-cloud") == "terraform-cloud"
    assert mentions.canonical_system("in-house-tool") == "in-house-tool"


def test_file_tokens_ignore_urls_and_slashes_that_are_not_paths() -> None:
    text = "See evidence/config/okta.png, the folder evidence/incidents/ and/or 24/7 https://x.io/a/b.md"
    assert mentions.file_tokens(text) == ["evidence/config/okta.png", "evidence/incidents"]


def test_people_by_name_first_name_or_email_accents_ignored() -> None:
    known = [
        mentions.person_names("tomas", "Tomás Herrera", "tomas.herrera@example.com"),
        mentions.person_names("sam", "Sam Okafor", None),
    ]
    assert [m.id for m in mentions.people("Tomas covers; same for sam.", known)] == ["tomas", "sam"]
    assert mentions.people("the same team", known) == []
    assert mentions.speaks_for_self("I run it myself")
    assert not mentions.speaks_for_self("i.e. the platform team")


def test_yes_no_and_hedges() -> None:
    assert mentions.denies("No, nothing changed.")
    assert mentions.says_differs("Not exactly: hotfixes skip review")
    assert not mentions.says_differs("No, it matches exactly")
    assert mentions.hedges("Not sure, it depends") == ["not sure", "it depends"]
    assert mentions.hedges("pass") == ["pass"]
    assert mentions.hedges("CI checks must pass") == []


@given(st.text(max_size=200))
def test_parsers_never_fail_and_are_deterministic(text: str) -> None:
    once = (parse.frequencies(text), parse.durations(text), parse.approver_counts(text),
            parse.dates(text), mentions.systems(text), mentions.file_tokens(text))  # fmt: skip
    again = (parse.frequencies(text), parse.durations(text), parse.approver_counts(text),
             parse.dates(text), mentions.systems(text), mentions.file_tokens(text))  # fmt: skip
    assert once == again
