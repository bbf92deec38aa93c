"""Rounds 3+: the follow-ups on what the auditor saw in the populations and the samples.

Every challenged population gets one follow-up combining its C&A problems
(soc2-domain.md §3.2), answered by what a client can do inside fieldwork
(re-extract, explain, confirm) or "not available"; a re-extracted population
leads to a completeness re-check. Every sampled item that failed gets a question
per control and finding code; an expanded sample and its own questions follow
the first sample's (§3.4). Findings about controls, policies, criteria and risks
are asked about in :mod:`mockaudit.fieldwork.subject_follow_ups`.

Only what the auditor can see is followed up: item findings of the
full-population scan on items outside the sample (``sampled`` false) are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from mockaudit.domain import Finding, FindingCode, Population
from mockaudit.domain.run import RequestKind, RequestStatus
from mockaudit.fieldwork.request_context import (
    ANSWER_DUE,
    REPULL_DUE,
    Ask,
    RequestContext,
)
from mockaudit.fieldwork.request_wording import (
    criteria_of,
    ids_of,
    items_of,
    listed,
    lower_first,
)
from mockaudit.fieldwork.sample_requests import expansion_ask
from mockaudit.fieldwork.subject_follow_ups import subject_follow_ups

_C = FindingCode
_S = RequestStatus

_POPULATION_CODES = frozenset(
    {
        _C.POPULATION_COUNT_MISMATCH,
        _C.POPULATION_EXTRACTED_EARLY,
        _C.POPULATION_WEAK_SOURCE,
        _C.POPULATION_DUPLICATE,
        _C.POPULATION_OUT_OF_PERIOD,
        _C.POPULATION_MISSING_FIELD,
        _C.POPULATION_PERIOD_GAP,
    }
)
_REPULL_CODES = frozenset({_C.POPULATION_COUNT_MISMATCH, _C.POPULATION_EXTRACTED_EARLY})
_ITEM_CODES = frozenset({_C.SAMPLE_DEVIATION, _C.EVIDENCE_MISSING, _C.EVIDENCE_INTEGRITY})
_NOT_FOLLOWED_UP = frozenset({_C.SCOPE_TOO_BROAD, _C.WALKTHROUGH_DIVERGENCE})


def follow_up_asks(ctx: RequestContext, findings: Sequence[Finding]) -> list[Ask]:
    """Sort what the auditor saw into population, sample and subject questions."""
    expansion_keys = {
        (t.control, item.key) for t in ctx.tests.values() for item in t.items if item.expansion
    }
    populations: list[Finding] = []
    first_items: list[Finding] = []
    later_items: list[Finding] = []
    subjects: list[Finding] = []
    for f in findings:
        if f.code in _NOT_FOLLOWED_UP:
            continue
        if f.code in _ITEM_CODES and f.items:
            if f.sampled is False:
                continue  # found by the full scan only: the auditor never sees it
            later = any((f.control, k) in expansion_keys for k in f.items)
            (later_items if later else first_items).append(f)
        elif f.code in _POPULATION_CODES and f.population is not None:
            populations.append(f)
        else:
            subjects.append(f)
    return [
        *_population_follow_ups(ctx, populations),
        *_sample_follow_ups(ctx, first_items, later_items),
        *subject_follow_ups(ctx, subjects),
    ]


_Fix = tuple[str, bool, str]
"""(what the auditor asks, whether the client can do it inside fieldwork, the client's answer)."""


def _population_fix(population: Population, finding: Finding, end: date) -> _Fix:
    system_made = not population.is_hand_made
    keys = ", ".join(finding.items[:5])
    code = finding.code
    if code is _C.POPULATION_COUNT_MISMATCH:
        ask = f"re-extract the complete list ({lower_first(finding.title)})"
        return ask, system_made, "re-extracted" if system_made else "no system export exists"
    if code is _C.POPULATION_EXTRACTED_EARLY:
        ask = f"re-extract it after the period end ({end.isoformat()})"
        return ask, system_made, "re-extracted" if system_made else "no system export exists"
    if code is _C.POPULATION_WEAK_SOURCE and system_made:
        return "send the query used and a screenshot of the total count", True, "query sent"
    if code is _C.POPULATION_WEAK_SOURCE:
        ask = "export it from the system that records these events"
        return ask, False, "no system export exists"
    if code is _C.POPULATION_DUPLICATE:
        return f"explain the duplicated keys ({keys})", True, "duplicates explained"
    if code is _C.POPULATION_OUT_OF_PERIOD:
        ask = f"confirm the rows dated outside the period are out of scope ({keys})"
        return ask, True, "out-of-period rows confirmed"
    if code is _C.POPULATION_MISSING_FIELD:
        return f"complete the blank fields ({keys})", False, "the blank fields were never recorded"
    ask = f"provide the rows for the part of the period it does not cover ({finding.title})"
    return ask, False, "no rows exist for that part of the period"


def _population_follow_ups(ctx: RequestContext, findings: Sequence[Finding]) -> list[Ask]:
    """One follow-up per challenged population, combining every C&A problem with it."""
    by_population: dict[str, list[Finding]] = {}
    for f in findings:
        by_population.setdefault(f.population or "", []).append(f)
    asks = []
    for population in ctx.program.populations:
        group = by_population.get(population.id)
        if group:
            asks.append(_population_follow_up(ctx, population, group))
    return asks


def _population_follow_up(ctx: RequestContext, population: Population, group: list[Finding]) -> Ask:
    fixes = [_population_fix(population, f, ctx.end) for f in group]
    done = [answer for _, ok, answer in fixes if ok]
    stuck = [answer for _, ok, answer in fixes if not ok]
    status = _S.CLOSED if not stuck else (_S.PARTIAL if done else _S.NOT_AVAILABLE)
    reply = "; ".join([*done, *(f"not available: {s}" for s in stuck)])
    repulled = any(
        f.code in _REPULL_CODES and ok for f, (_, ok, _) in zip(group, fixes, strict=True)
    )
    sampled = any(ctx.tests[c.id].items for c in ctx.users_of(population.id) if c.id in ctx.tests)
    users = ctx.users_of(population.id)
    recheck = Ask(
        key=f"recheck:{population.id}",
        kind=RequestKind.FOLLOW_UP,
        description=(
            "We re-performed completeness on the re-extracted population of "
            f"{lower_first(population.title)}: please confirm it reconciles to the source "
            "count, and provide evidence for any sample items we add from rows that were missing."
        ),
        population=population.id,
        criteria=criteria_of(users),
        owner=ctx.population_owner(population.id),
        status=_S.CLOSED,
        reply="Confirmed.",
        due_in=ANSWER_DUE,
        parent=f"population:{population.id}",
    )
    return replace(
        recheck,
        key=f"repull:{population.id}",
        description=(
            f"Follow-up on the population of {lower_first(population.title)} "
            f"({population.id}): please {'; '.join(ask for ask, _, _ in fixes)}."
        ),
        status=status,
        reply=reply[:1].upper() + reply[1:] + ".",
        due_in=REPULL_DUE,
        findings=ids_of(group),
        missing=tuple(items_of(f for f, (_, ok, _) in zip(group, fixes, strict=True) if not ok)),
        then=(recheck,) if repulled and sampled else (),
    )


_ItemQuestion = tuple[str, str, RequestStatus, int, str]
"""(key prefix, question after "Sampled item(s) X of C", status, due in, client's reply)."""

_ITEM_QUESTIONS: dict[FindingCode, _ItemQuestion] = {
    _C.SAMPLE_DEVIATION: (
        "deviations",
        "did not pass ({titles}). Please explain the cause of each deviation and what was done "
        "about it, and provide any further evidence",
        _S.CLOSED,
        ANSWER_DUE,
        "Explanations provided; the deviations stand.",
    ),
    _C.EVIDENCE_MISSING: (
        "missing",
        "{has} no evidence in what you provided ({titles}). Please provide it",
        _S.NOT_AVAILABLE,
        REPULL_DUE,
        "Not available: no evidence exists for these items.",
    ),
    _C.EVIDENCE_INTEGRITY: (
        "integrity",
        "{has} evidence that fails verification ({titles}). Please provide fresh copies from the "
        "source system",
        _S.CLOSED,
        REPULL_DUE,
        "Fresh copies provided.",
    ),
}


def _item_questions(
    ctx: RequestContext, findings: Sequence[Finding], *, parent: str, tag: str
) -> dict[str | None, list[Ask]]:
    """Per control: one question per item code, about the items its findings name."""
    grouped: dict[tuple[str | None, FindingCode], list[Finding]] = {}
    for f in findings:
        grouped.setdefault((f.control, f.code), []).append(f)
    out: dict[str | None, list[Ask]] = {}
    for (control_id, code), group in grouped.items():
        prefix, question, status, due, reply = _ITEM_QUESTIONS[code]
        items = items_of(group)
        population = group[0].population
        noun = "Sampled item" if len(items) == 1 else "Sampled items"
        subject = f" of {control_id}" if control_id else ""
        has = "has" if len(items) == 1 else "have"
        text = question.format(titles=listed([f.title for f in group]), has=has)
        out.setdefault(control_id, []).append(
            Ask(
                key=f"{prefix}{tag}:{control_id or population}",
                kind=RequestKind.FOLLOW_UP,
                description=f"{noun} {', '.join(items)}{subject} {text}.",
                control=control_id,
                population=population,
                criteria=ctx.criteria_of(control_id),
                owner=group[0].owner or ctx.owner_of(control_id),
                status=status,
                reply=reply,
                due_in=due,
                parent=f"{parent}:{control_id}"
                if control_id in ctx.tests
                else (f"population:{population}" if population else None),
                findings=ids_of(group),
                missing=tuple(items) if status is _S.NOT_AVAILABLE else (),
            )
        )
    return out


def _sample_follow_ups(
    ctx: RequestContext, first_items: Sequence[Finding], later_items: Sequence[Finding]
) -> list[Ask]:
    """Questions on the first sample; the expanded sample and its questions follow them (§3.4)."""
    first = _item_questions(ctx, first_items, parent="sample", tag="")
    later = _item_questions(ctx, later_items, parent="expansion", tag="-expansion")
    asks: list[Ask] = []
    for test in ctx.tests.values():
        questions = first.pop(test.control, [])
        expansion = expansion_ask(ctx, test)
        if expansion is not None:
            expansion = replace(expansion, then=tuple(later.pop(test.control, [])))
            if questions:
                questions[0] = replace(questions[0], then=(*questions[0].then, expansion))
            else:
                questions = [expansion]
        asks.extend(questions)
    for leftover in (*first.values(), *later.values()):
        asks.extend(leftover)
    return asks
