"""The auditor's request (PBC) list, played round by round on a business-day clock.

soc2-domain.md §3.1 is the script: at kickoff (day 0) the auditor sends the
request list — documents, populations, configurations, walkthroughs (the kinds
of §4) — due in ``PBC_DUE`` business days; when the populations arrive the
auditor selects samples and sends one sample request per tested control, due
``SAMPLE_DUE`` days later; then every gap the auditor cannot close from what
was provided becomes a follow-up in the next round, answered in 1–2 business
days ([S25]). Days are business days counted from kickoff.

The client's side is simulated from the vault: what it holds is provided; what
a client can do inside fieldwork (re-extract a population from its system with
the query and a count screenshot, explain a deviation, name an owner, re-send a
file that fails verification) closes the follow-up; what nobody can produce
after the fact (missing evidence, a period gap, a past approval, a control that
never ran) is answered "not available" and stays open. Some answers raise the
next question — an explained deviation leads to the expanded sample (§3.4), a
re-extracted population to a completeness re-check (§3.2), a newly named owner
to a walkthrough (§4 R67) — so rounds continue until nothing new comes up, or
``MAX_ROUNDS`` is reached.

Only what the auditor can see is followed up: item findings of the
full-population scan on items outside the sample (``sampled`` false) are not.
Call this after the findings are numbered, so follow-ups name their findings.

This module plays the rounds (:func:`build_requests`, the business-day clock and
the request numbering); the requests themselves are written by
:mod:`~mockaudit.fieldwork.opening_requests`, :mod:`~mockaudit.fieldwork.sample_requests`,
:mod:`~mockaudit.fieldwork.follow_up_requests` and
:mod:`~mockaudit.fieldwork.subject_follow_ups`, from the context of
:mod:`~mockaudit.fieldwork.request_context`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mockaudit.domain import Finding, Program
from mockaudit.domain.observations import PopulationProfile
from mockaudit.domain.run import ControlTest, Message, Request, RequestKind, RequestStatus
from mockaudit.fieldwork.follow_up_requests import follow_up_asks
from mockaudit.fieldwork.opening_requests import opening_asks
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.request_context import (
    ANSWER_DUE,
    PBC_DUE,
    REPULL_DUE,
    SAMPLE_DUE,
    Ask,
    RequestContext,
)
from mockaudit.fieldwork.sample_requests import sample_ask
from mockaudit.fieldwork.scope import accountable_owner as active_owner
from mockaudit.fieldwork.scope import audit_window
from mockaudit.fieldwork.severity import counted

__all__ = [
    "ANSWER_DUE",
    "MAX_ROUNDS",
    "PBC_DUE",
    "REPULL_DUE",
    "SAMPLE_DUE",
    "RequestLog",
    "active_owner",
    "audit_window",
    "build_requests",
]

MAX_ROUNDS = 6
"""Rounds in all: the request list, the samples and up to four follow-up rounds."""

_S = RequestStatus


@dataclass(frozen=True)
class RequestLog:
    """Every request in the order issued, the correspondence, and how many rounds were played."""

    requests: tuple[Request, ...]
    messages: tuple[Message, ...]
    rounds: int

    @property
    def follow_up_rounds(self) -> int:
        return len({r.round for r in self.requests if r.kind is RequestKind.FOLLOW_UP})


def build_requests(
    program: Program,
    profiles: Mapping[str, PopulationProfile],
    tests: Sequence[ControlTest],
    findings: Sequence[Finding],
    source: ProgramSource,
) -> RequestLog:
    """Play the engagement: the request list, the sample requests and the follow-up rounds."""
    ctx = RequestContext.build(program, profiles, tests, source)
    opening = opening_asks(ctx)
    samples = [ask for test in tests if (ask := sample_ask(ctx, test)) is not None]
    return _Clock().play([opening, samples], follow_up_asks(ctx, findings))


# --- the clock ----------------------------------------------------------------------------


@dataclass
class _Clock:
    """Issues rounds of asks: numbers them, dates them and writes the correspondence."""

    day: int = 0
    round: int = 0
    next_number: int = 1
    requests: list[Request] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # ask key → request code
    roots: dict[str, str] = field(default_factory=dict)  # code → the root request's code
    follow_ups: dict[str, int] = field(default_factory=dict)  # root code → follow-ups so far

    def play(self, opening: Sequence[Sequence[Ask]], follow_ups: Sequence[Ask]) -> RequestLog:
        for batch, what in zip(opening, ("Request list", "Sample requests"), strict=False):
            if batch:
                self.issue(batch, what)
        pending = list(follow_ups)
        while pending and self.round < MAX_ROUNDS:
            issued = self.issue(pending, "Follow-up requests")
            pending = [then for ask in issued for then in ask.then]
        if pending:
            self.say("auditor", f"{len(pending)} further questions are left for the exit meeting.")
        lacking = sum(1 for r in self.requests if r.status in (_S.NOT_AVAILABLE, _S.PARTIAL))
        self.say(
            "auditor",
            f"Evidence gathering closed on day {self.day} after {self.round} rounds; "
            f"{counted(lacking, 'request')} answered in part or not at all.",
        )
        return RequestLog(tuple(self.requests), tuple(self.messages), self.round)

    def say(self, sender: str, text: str, day: int | None = None) -> None:
        when = self.day if day is None else day
        self.messages.append(Message(day=when, round=self.round, sender=sender, text=text))

    def code_for(self, ask: Ask) -> tuple[str, str | None]:
        """(this ask's code, the code it follows): follow-ups are numbered under their root."""
        parent = self.codes.get(ask.parent) if ask.parent else None
        if parent is None or ask.kind is not RequestKind.FOLLOW_UP:
            code = f"PBC-{self.next_number:03d}"
            self.next_number += 1
            self.roots[code] = code
            return code, parent
        root = self.roots[parent]
        self.follow_ups[root] = self.follow_ups.get(root, 0) + 1
        code = f"{root}-F{self.follow_ups[root]}"
        self.roots[code] = root
        return code, parent

    def issue(self, batch: Sequence[Ask], what: str) -> list[Ask]:
        self.round += 1
        last_due = self.day + max(ask.due_in for ask in batch)
        self.say("auditor", f"{what}: {len(batch)} sent, due by day {last_due}.")
        issued: list[tuple[Ask, Request]] = []
        for ask in batch:
            code, follows = self.code_for(ask)
            self.codes.setdefault(ask.key, code)
            request = _request(ask, code, follows, self.round, self.day)
            issued.append((ask, request))
            self.requests.append(request)
            self.say("auditor", f"{code}: {ask.description}")
        for ask, request in sorted(issued, key=lambda pair: pair[1].due_day):
            self.say("client", f"{request.code}: {ask.reply}", day=request.due_day)
        self.day = last_due
        return [ask for ask, _ in issued]


def _request(ask: Ask, code: str, follows: str | None, round_no: int, day: int) -> Request:
    return Request(
        code=code,
        kind=ask.kind,
        description=ask.description,
        control=ask.control,
        population=ask.population,
        criteria=ask.criteria,
        owner=ask.owner,
        round=round_no,
        issued_day=day,
        due_day=day + ask.due_in,
        status=ask.status,
        found=ask.found,
        missing=ask.missing,
        follows=follows,
        findings=ask.findings,
        standard=ask.standard
        or (ask.key.removeprefix("standard:") if ask.key.startswith("standard:") else None),
    )
