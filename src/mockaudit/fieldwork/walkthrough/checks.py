"""Checking one walkthrough answer against what is documented about the control itself.

Why conservative: a contradiction becomes a ``walkthrough.divergence`` finding, so it is
raised only when the answer states a fact (a name, a frequency, a duration, a count, a
mode) that the documents clearly contradict. An answer with no such fact is "answered"
(nothing to compare) or "evasive" (the question asked for a fact and got none). Every
outcome carries the documented text it was compared with, to be quoted back. Systems,
evidence and dates are checked in ``scope_checks``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mockaudit.domain import ControlKind, Frequency, Person
from mockaudit.domain.enums import AttributeCheck
from mockaudit.domain.walkthrough import Check, Question, Verdict
from mockaudit.fieldwork.walkthrough import mentions as mentions
from mockaudit.fieldwork.walkthrough import parse as parse
from mockaudit.fieldwork.walkthrough.facts import Context
from mockaudit.fieldwork.walkthrough.relevance import relevant, unknown_names
from mockaudit.fieldwork.walkthrough.scope_checks import (
    check_coverage,
    check_evidence_location,
    check_inclusion,
    check_last_instance,
    check_system_of_record,
    check_systems,
)
from mockaudit.fieldwork.walkthrough.verdicts import (
    Outcome,
    contradiction,
    dodges,
    evasive,
    free_text,
    hedged,
)


def assess(ctx: Context, question: Question, answer: str) -> Outcome:
    """Check one answer to one question (the corroboration step is the rehearsal's)."""
    if not answer.strip():
        if question.required:
            return Outcome(Verdict.EVASIVE, "No answer to a required question: noted.")
        return Outcome(Verdict.SKIPPED, "Skipped.")
    outcome = hedged(_CHECKS[question.check](ctx, answer), answer)
    if outcome.verdict is Verdict.ANSWERED and not relevant(ctx, question.generic_text, answer):
        return evasive("the answer says nothing about this question or this control")
    return outcome


def _purpose(ctx: Context, answer: str) -> Outcome:
    if dodges(answer):
        return evasive("the control is not described in your own words")
    return Outcome(
        Verdict.ANSWERED,
        f"Noted. The auditor compares it with the documented text: {ctx.described}",
        ctx.described,
    )


def _named(ctx: Context, answer: str) -> list[Person]:
    found = mentions.people(answer, ctx.known)
    return [p for p in (ctx.person(m.id) for m in found) if p is not None]


def _owner_text(ctx: Context) -> str:
    owner_id = ctx.control.owner
    if owner_id is None:
        return f'{ctx.control.id} owner = "" (no owner documented)'
    person = ctx.person(owner_id)
    if person is None:
        return f'{ctx.control.id} owner = "{owner_id}" (not among people)'
    return f'{ctx.control.id} owner = "{owner_id}" ({person.name})'


def _left_text(person: Person) -> str:
    return f"{person.name} ({person.id}): left_on = {person.left_on}"


def _owner(ctx: Context, answer: str) -> Outcome:
    named = _named(ctx, answer)
    speaker = mentions.speaks_for_self(answer)
    owner_id = ctx.control.owner
    owner = ctx.person(owner_id) if owner_id else None
    if not named and not speaker:
        if owner_id and parse.normalise(owner_id).replace("-", " ") in parse.normalise(answer):
            return Outcome(
                Verdict.GAP,
                f"You named “{owner_id}”, a group: auditors want one accountable person.",
                _owner_text(ctx),
            )
        return _unknown(ctx, answer) or evasive("no person is named")
    if speaker and owner is not None and owner not in named:
        named.insert(0, owner)
    for person in named:
        if ctx.left(person):
            return contradiction(
                answer,
                person.name,
                f"{person.name} left on {person.left_on}",
                _left_text(person),
                "owner",
            )
    said = named[0].name if named else "I do"
    if owner_id is None:
        return contradiction(
            answer, said, "the control documents no owner", _owner_text(ctx), "owner"
        )
    if owner is None:
        return contradiction(
            answer,
            said,
            f"the documented owner “{owner_id}” is not a person",
            _owner_text(ctx),
            "owner",
        )
    if owner in named:
        return Outcome(
            Verdict.CONSISTENT,
            f"Consistent: {owner.name} is the documented owner.",
            _owner_text(ctx),
        )
    return contradiction(
        answer, said, f"the documented owner is {owner.name}", _owner_text(ctx), "owner"
    )


def _backup(ctx: Context, answer: str) -> Outcome:
    others = [p for p in _named(ctx, answer) if p.id != ctx.control.owner]
    for person in others:
        if ctx.left(person):
            return contradiction(
                answer,
                person.name,
                f"{person.name} left on {person.left_on}",
                _left_text(person),
                "backup",
            )
    if others:
        names = ", ".join(p.name for p in others)
        return Outcome(Verdict.CONSISTENT, f"Consistent: {names} can cover (a current person).")
    if mentions.names_nobody(answer):
        return Outcome(
            Verdict.GAP,
            "No backup: one person is a single point of failure, and auditors ask what "
            "happened while they were out.",
        )
    return _unknown(ctx, answer) or evasive(
        "nobody other than the owner is named as reviewer or cover"
    )


def _unknown(ctx: Context, answer: str) -> Outcome | None:
    """Names that are nobody of the program: said to be unknown (the auditor will ask)."""
    unknown = unknown_names(answer, ctx.known)
    if not unknown:
        return None
    names = ", ".join(f"“{name}”" for name in unknown)
    return Outcome(
        Verdict.GAP,
        f"Unknown: {names} is not a person of the program. The auditor will ask who that "
        "is: name a person from the people list, or add them to it.",
        f"people: {', '.join(p.name for p in ctx.program.people) or 'none'}",
    )


_INTERVAL: dict[Frequency, float] = {
    Frequency.MULTIPLE_DAILY: 0.25,
    Frequency.DAILY: 1,
    Frequency.WEEKLY: 7,
    Frequency.MONTHLY: 31,
    Frequency.QUARTERLY: 92,
    Frequency.SEMIANNUAL: 183,
    Frequency.ANNUAL: 366,
}


_SLACK = 1.1  # "every 90 days" is quarterly; "every sprint" (14 days) is not weekly


def frequency_fits(claim: parse.FrequencyClaim, documented: Frequency) -> bool:
    """Whether a stated frequency keeps the documented one (more often is fine)."""
    if documented is Frequency.PER_EVENT:
        return claim.kind != parse.PERIODIC or (claim.interval_days or 0) <= 0.25
    if documented is Frequency.CONTINUOUS:
        return claim.kind != parse.PERIODIC or (claim.interval_days or 0) <= 1
    if claim.kind == parse.CONTINUOUS:
        return True
    if claim.kind == parse.EVENT or claim.interval_days is None:
        return False
    return claim.interval_days <= _INTERVAL[documented] * _SLACK


def _frequency(ctx: Context, answer: str) -> Outcome:
    claims = parse.frequencies(answer)
    if not claims:
        return evasive("the answer does not say how often or on which trigger")
    documented = ctx.control.frequency
    text = f'{ctx.control.id} frequency = "{documented}"'
    if any(frequency_fits(c, documented) for c in claims):
        return Outcome(
            Verdict.CONSISTENT, f"Consistent with the documented frequency ({documented}).", text
        )
    reason = f"the control is documented as {documented.value.replace('_', ' ')}"
    return contradiction(answer, claims[0].words, reason, text, "frequency")


_TOLERANCE = 1.02  # "12 months" is "a year", "a month" is "30 days"


def _deadline_sources(ctx: Context) -> list[tuple[str, list[float]]]:
    """Every documented deadline for this control: attributes, description, commitments."""
    control = ctx.control
    out: list[tuple[str, list[float]]] = []
    for attribute in control.attributes:
        if attribute.check is AttributeCheck.WITHIN_DAYS and attribute.days is not None:
            fields = " → ".join(attribute.fields or ())
            unit = "day" if attribute.days == 1 else "days"
            out.append(
                (
                    f"{control.id} attribute {attribute.id}: within {attribute.days} {unit} "
                    f"({fields})",
                    [float(attribute.days)],
                )
            )
    found = parse.deadline_durations(f"{control.title}. {control.description}")
    if found:
        out.append((ctx.described, [d.days for d in found]))
    for policy in ctx.program.policies:
        for commitment in policy.commitments:
            days = _commitment_days(ctx, commitment.control, commitment.reconciliation)
            if days is None:
                continue
            spans = [d.days for d in parse.deadline_durations(commitment.statement)]
            if commitment.max_days is not None:
                spans.append(float(commitment.max_days))
            elif days >= 0:
                spans.append(float(days))
            if spans:
                out.append(
                    (f'{policy.id} commitment {commitment.id}: "{commitment.statement}"', spans)
                )
    return out


def _commitment_days(ctx: Context, control: str | None, reconciliation: str | None) -> int | None:
    """-1 for a commitment about this control, the reconciliation's max_days for one through
    a reconciliation of this control; None when the commitment is about something else."""
    if control is not None:
        return -1 if control == ctx.control.id else None
    rec = ctx.program.reconciliation(reconciliation or "")
    if rec is not None and rec.control == ctx.control.id:
        return rec.max_days
    return None


def _timeliness(ctx: Context, answer: str) -> Outcome:
    stated = parse.deadline_durations(answer)
    if not stated:
        return evasive("the answer does not say how fast")
    sources = _deadline_sources(ctx)
    loosest = max(stated, key=lambda d: d.days)
    if not sources:
        return Outcome(
            Verdict.ANSWERED,
            "Noted: nothing documented to compare with, so the "
            "auditor will test what you just said.",
        )
    for text, spans in sources:
        if loosest.days > max(spans) * _TOLERANCE + 1e-9:
            return contradiction(
                answer, loosest.words, "the documents allow less time", text, "timeliness"
            )
    return Outcome(
        Verdict.CONSISTENT,
        "Consistent with the documented deadlines.",
        "; ".join(text for text, _ in sources),
    )


def _retention(ctx: Context, answer: str) -> Outcome:
    stated = parse.durations(answer, skip_every=True)
    if not stated:
        return evasive("the answer does not say for how long")
    documented = parse.retention_durations(ctx.control.description)
    if not documented:
        return Outcome(
            Verdict.ANSWERED,
            "Noted: no retention is documented for this control; "
            "check it against the retention policy.",
        )
    kept = max(stated, key=lambda d: d.days)
    needed = max(d.days for d in documented)
    if kept.days * _TOLERANCE + 1e-9 < needed:
        return contradiction(
            answer, kept.words, "the documented retention is longer", ctx.described, "retention"
        )
    return Outcome(Verdict.CONSISTENT, "Consistent with the documented retention.", ctx.described)


def _approvers(ctx: Context, answer: str) -> Outcome:
    stated = parse.approver_counts(answer)
    if not stated:
        return evasive("the answer does not say how many approvals are needed")
    sources: list[tuple[str, set[int]]] = []
    own = parse.approver_counts(f"{ctx.control.title}. {ctx.control.description}")
    if own:
        sources.append((ctx.described, {c.value for c in own}))
    for policy in ctx.program.policies:
        for commitment in policy.commitments:
            if commitment.control == ctx.control.id:
                promised = parse.approver_counts(commitment.statement)
                if promised:
                    label = f'{policy.id} commitment {commitment.id}: "{commitment.statement}"'
                    sources.append((label, {c.value for c in promised}))
    if not sources:
        return Outcome(
            Verdict.ANSWERED,
            "Noted: no approver count is documented; the auditor will test the count you gave.",
        )
    said = {c.value for c in stated}
    for text, counts in sources:
        if not said & counts:
            expected = " or ".join(str(n) for n in sorted(counts))
            return contradiction(
                answer, stated[0].words, f"the documents require {expected}", text, "approvers"
            )
    return Outcome(
        Verdict.CONSISTENT,
        "Consistent with the documented approvals.",
        "; ".join(text for text, _ in sources),
    )


_MANUAL = re.compile(
    r"\bmanual(?:ly)?\b|\bby hand\b|\bnot automated\b|\bnothing is automated\b"
    r"|\bno automation\b|\bnone of it is automated\b|\bnothing automated\b"
)


_NEGATED_AUTOMATION = re.compile(
    r"\bnot automated\b|\bnothing is automated\b|\bno automation\b|\bnone of it is automated\b"
    r"|\bnothing automated\b"
)


_AUTOMATED = re.compile(r"\bautomat(?:ed|ic|ically|ion|es)\b|\bruns on its own\b|\bno human\b")


_UNWATCHED = re.compile(
    r"\b(?:we )?(?:don't|do not|never) (?:check|monitor|look)\b|\bno (?:alerts?|alerting|"
    r"monitoring)\b|\bwouldn't know\b|\bwould not know\b"
)


def _automation(ctx: Context, answer: str) -> Outcome:
    low = parse.normalise(answer)
    manual = bool(_MANUAL.search(low))
    automated = bool(_AUTOMATED.search(_NEGATED_AUTOMATION.sub(" ", low)))
    kind = ctx.control.kind
    text = f'{ctx.control.id} kind = "{kind}"'
    if kind is ControlKind.AUTOMATED and manual and not automated:
        return contradiction(
            answer, answer.strip(), "the control is documented as automated", text, "automation"
        )
    if kind is ControlKind.MANUAL and automated and not manual:
        return contradiction(
            answer, answer.strip(), "the control is documented as manual", text, "automation"
        )
    if kind is not ControlKind.MANUAL and _UNWATCHED.search(low):
        return Outcome(
            Verdict.GAP,
            "Nobody watches the automation: the auditor will ask how a "
            "silent failure would be noticed (alerts, monitoring).",
            text,
        )
    if manual or automated:
        return Outcome(Verdict.CONSISTENT, f"Consistent with the documented mode ({kind}).", text)
    return free_text(ctx, answer)


def _documented_changes(ctx: Context) -> list[str]:
    owner = ctx.person(ctx.control.owner) if ctx.control.owner else None
    if owner is not None and ctx.left(owner):
        return [f"{_left_text(owner)} (the documented owner)"]
    return []


def _changes(ctx: Context, answer: str) -> Outcome:
    changes = _documented_changes(ctx)
    if mentions.denies(answer):
        if changes:
            return contradiction(
                answer, answer.strip(), "the owner changed during the period", changes[0], "changes"
            )
        return Outcome(Verdict.CONSISTENT, "Nothing in the program says otherwise.")
    if dodges(answer):
        return evasive("the answer neither confirms nor describes a change")
    return Outcome(
        Verdict.ANSWERED,
        "Noted: the auditor will ask for evidence on both sides of the change.",
        "; ".join(changes),
    )


_MISSES = re.compile(r"\bmissed\b|\blate\b|\bskipped\b|\boverdue\b|\bforgot\b|\bdelayed\b")


def _skipped(ctx: Context, answer: str) -> Outcome:
    low = parse.normalise(answer)
    if mentions.denies(answer):
        return Outcome(Verdict.ANSWERED, "Noted: the auditor's sample will test that claim.")
    if mentions.affirms(answer) or _MISSES.search(low):
        return Outcome(
            Verdict.GAP,
            "Admitted misses become exceptions: have the explanation, "
            "the ticket and the remediation ready.",
        )
    return free_text(ctx, answer)


def _policy_match(ctx: Context, answer: str) -> Outcome:
    if mentions.says_differs(answer):
        return contradiction(
            answer,
            answer.strip(),
            "practice then differs from the written control",
            ctx.described,
            "policy_match",
        )
    if mentions.says_matches(answer):
        return Outcome(
            Verdict.CONSISTENT, "Consistent: the auditor will compare the two.", ctx.described
        )
    return free_text(ctx, answer)


_CHECKS: dict[Check, Callable[[Context, str], Outcome]] = {
    Check.PURPOSE: _purpose,
    Check.OWNER: _owner,
    Check.BACKUP: _backup,
    Check.FREQUENCY: _frequency,
    Check.TIMELINESS: _timeliness,
    Check.RETENTION: _retention,
    Check.APPROVERS: _approvers,
    Check.SYSTEM_OF_RECORD: check_system_of_record,
    Check.SYSTEMS: check_systems,
    Check.EVIDENCE_LOCATION: check_evidence_location,
    Check.LAST_INSTANCE: check_last_instance,
    Check.COVERAGE: check_coverage,
    Check.INCLUSION: check_inclusion,
    Check.AUTOMATION: _automation,
    Check.CHANGES: _changes,
    Check.SKIPPED: _skipped,
    Check.POLICY_MATCH: _policy_match,
    Check.PROCESS: free_text,
    Check.EXCEPTIONS: free_text,
}
