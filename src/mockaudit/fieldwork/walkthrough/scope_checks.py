"""Checks on where a control runs and what it leaves behind: systems, evidence, dates.

Systems named are compared with the systems in scope and the population's system of
record; evidence locations with what the vault holds for the control; dates with the
period; population answers with the period and with who the control says is covered.
"""

from __future__ import annotations

import re

from mockaudit.domain.walkthrough import Verdict
from mockaudit.fieldwork.walkthrough import mentions as mentions
from mockaudit.fieldwork.walkthrough import parse as parse
from mockaudit.fieldwork.walkthrough.facts import Context, is_instance
from mockaudit.fieldwork.walkthrough.verdicts import (
    Outcome,
    contradiction,
    evasive,
    free_text,
)


def _systems_named(answer: str) -> list[mentions.Mention]:
    return [m for m in mentions.systems(answer) if m.id != "vault"]


def check_systems(ctx: Context, answer: str, *, of_record: bool = False) -> Outcome:
    named = _systems_named(answer)
    if not named:
        return evasive("no system is named")
    scope = ctx.scope()
    for mention in named:
        if mention.id not in scope:
            said = parse.as_written(answer, mention.words)
            return contradiction(
                answer,
                mention.words,
                f"{said} is not a system in scope",
                ctx.scope_text(),
                "systems",
            )
    if of_record and ctx.population is not None:
        source = mentions.canonical_system(ctx.population.system)
        if source not in {m.id for m in named}:
            return contradiction(
                answer,
                ", ".join(m.words for m in named),
                f"the population {ctx.population.id} comes from {ctx.population.system}",
                ctx.scope_text(),
                "systems",
            )
    return Outcome(Verdict.CONSISTENT, "Consistent with the systems in scope.", ctx.scope_text())


def check_system_of_record(ctx: Context, answer: str) -> Outcome:
    return check_systems(ctx, answer, of_record=True)


INFORMAL_PLACES = frozenset({"slack", "email", "local-disk"})
"""Places that are never evidence storage: chat, mailboxes, someone's laptop."""

_DENIES_EVIDENCE = re.compile(
    r"\b(?:don't|do not|never|doesn't|does not|didn't|did not) (?:keep|store|save|record|retain)"
    r"|\bno evidence\b|\bnothing is (?:kept|stored|saved|recorded)\b"
    r"|\bnot (?:kept|stored|recorded|saved)\b|\bnowhere\b"
)


def _vault_text(ctx: Context) -> str:
    if not ctx.linked:
        return f"the vault holds no evidence for {ctx.control.id}"
    ordered = sorted(ctx.linked, key=lambda f: not is_instance(f, ctx.control))
    names = [f.name for f in ordered[:6]]
    more = f" and {len(ordered) - 6} more" if len(ordered) > 6 else ""
    return f"the vault holds for {ctx.control.id}: " + ", ".join(names) + more


def check_evidence_location(ctx: Context, answer: str) -> Outcome:
    low = parse.normalise(answer)
    if _DENIES_EVIDENCE.search(low):
        if ctx.linked or ctx.population is not None:
            return contradiction(
                answer, answer.strip(), "evidence exists", _vault_text(ctx), "evidence_location"
            )
        return Outcome(
            Verdict.GAP,
            "No evidence kept: the auditor has nothing to inspect, "
            "and inquiry alone never supports a conclusion.",
            _vault_text(ctx),
        )
    files = mentions.file_tokens(answer)
    places = mentions.systems(answer)
    if not files and not places:
        return evasive("the answer does not say where the evidence is kept")
    held = [parse.normalise(f.name) for f in ctx.linked]
    held += [parse.normalise(p) for p in ctx.control.evidence]
    for token in files:
        if not any(token in name or name.endswith(token) for name in held):
            return contradiction(
                answer,
                token,
                "the vault holds no such evidence for this control",
                _vault_text(ctx),
                "evidence_location",
            )
    allowed = set(ctx.scope()) | {"vault"}
    for place in places:
        if place.id in INFORMAL_PLACES and place.id not in allowed:
            return contradiction(
                answer,
                place.words,
                f"{parse.as_written(answer, place.words)} is not where the documents or the "
                "vault keep evidence",
                f"{ctx.scope_text()}; {_vault_text(ctx)}",
                "evidence_location",
            )
    unknown = [p for p in places if p.id not in allowed]
    if unknown:
        said = parse.as_written(answer, unknown[0].words)
        return Outcome(
            Verdict.GAP,
            f"{said} is not among the documented systems: the auditor will ask how it is "
            "controlled, and for a copy in the vault.",
            f"{ctx.scope_text()}; {_vault_text(ctx)}",
        )
    if not ctx.linked and ctx.population is None:
        return Outcome(
            Verdict.GAP,
            f"The vault holds nothing for {ctx.control.id} yet: add the evidence before fieldwork.",
            _vault_text(ctx),
        )
    return Outcome(Verdict.CONSISTENT, "Consistent with what the vault holds.", _vault_text(ctx))


def check_last_instance(ctx: Context, answer: str) -> Outcome:
    found = parse.dates(answer)
    if not found:
        return evasive("no date is given (say the day, e.g. 2026-05-13)")
    latest = max(found, key=lambda d: d.last)
    period = f"period: {ctx.period_text}"
    if latest.first > ctx.as_of:
        return Outcome(Verdict.GAP, f"“{latest.words}” is in the future.", period)
    if not latest.overlaps(ctx.period_start, ctx.period_end):
        return Outcome(
            Verdict.GAP,
            f"“{latest.words}” is outside the period ({ctx.period_text}):"
            " the auditor needs an instance inside it.",
            period,
        )
    return Outcome(Verdict.CONSISTENT, "Inside the period: now be ready to show it.", period)


_WHOLE = re.compile(r"\b(?:full|whole|entire|complete) (?:period|year|range|window)\b|\ball of\b")


_PARTIAL = re.compile(r"\bonly (?:from|since|until|the last)\b|\bstarts? (?:on|in|at)\b")


def check_coverage(ctx: Context, answer: str) -> Outcome:
    found = parse.dates(answer)
    period = f"period: {ctx.period_text}"
    if len(found) >= 2:
        first = min(d.first for d in found)
        last = max(d.last for d in found)
        if first > ctx.period_start or last < ctx.period_end:
            return contradiction(
                answer,
                f"{first} to {last}",
                "that does not cover the whole period",
                period,
                "coverage",
            )
        return Outcome(Verdict.CONSISTENT, "Covers the whole period.", period)
    low = parse.normalise(answer)
    if mentions.denies(answer) or _PARTIAL.search(low):
        return Outcome(
            Verdict.GAP,
            "A list that misses part of the period is a completeness "
            "problem the auditor will raise.",
            period,
        )
    if _WHOLE.search(low) or mentions.affirms(answer):
        return Outcome(Verdict.CONSISTENT, "Covers the whole period, as it must.", period)
    return free_text(ctx, answer)


_EXCLUDED = re.compile(
    r"\bonly (?:employees|staff|full[- ]time)\b|\bexclud\w*\b|\bnot (?:included|covered)\b"
    r"|\bexcept\b|\bleft out\b"
)


_INCLUDED = re.compile(r"\binclud(?:ed|es)\b|\bcovered\b|\beveryone\b|\ball of them\b")


_INCLUSION_WORDS = ("contractor", "admin", "service account", "third-party", "third party")


def check_inclusion(ctx: Context, answer: str) -> Outcome:
    low = parse.normalise(answer)
    if mentions.denies(answer) or _EXCLUDED.search(low):
        described = parse.normalise(f"{ctx.control.title} {ctx.control.description}")
        if any(word in described for word in _INCLUSION_WORDS):
            return contradiction(
                answer,
                answer.strip(),
                "the control says they are covered",
                ctx.described,
                "inclusion",
            )
        return Outcome(
            Verdict.GAP,
            "Auditors expect contractors, admins and service accounts "
            "in the population; leaving them out is a classic exception.",
        )
    if mentions.affirms(answer) or _INCLUDED.search(low):
        return Outcome(Verdict.CONSISTENT, "Good: the auditor will check they are in the list.")
    return free_text(ctx, answer)
