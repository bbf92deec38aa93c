"""The likely opinion from the per-criterion evaluation, and the rule that produced it in words.

soc2-domain.md §3.5 gives four opinions. ``evaluation.grounds`` lists the in-scope
criteria a CPA firm would say are not met and why (rules in that module); the
opinion follows from those grounds, first match wins:

1. **Disclaimer** — the auditor cannot obtain sufficient evidence over most of the
   examination: scope limitations (population or sampled evidence not produced,
   nothing to inspect) on at least ``DISCLAIMER_SHARE`` (half) of the controls
   (§3.5: "scope limitation, missing records, access denied"; not a statement
   that controls failed).
2. **Adverse** — material and pervasive: grounds other than scope limitations in
   at least ``PERVASIVE_MIN`` (3) criterion groups (``CC6`` of ``CC6.2``) *and* more
   than ``PERVASIVE_SHARE`` (half) of the in-scope criteria not met (§3.5:
   "misstatements/deficiencies material and pervasive; controls cannot be relied
   on"). Both are needed: failures in many groups that still leave most criteria
   met are several specific issues — a qualification listing each (§3.5, "a
   specific, limited material issue … for one criterion area", once per area) —
   while most criteria unmet means the controls as a whole cannot be relied on.
3. **Qualified** — at least one ground: "a specific, limited material issue …
   for one criterion area, or a limited scope limitation" (§3.5).
4. **Unqualified** — no ground, even with exceptions noted in Section IV
   (§3.4: every deviation is disclosed; §3.5: a clean opinion "can still contain
   exceptions in Section IV if not pervasive").

The rule text names the opinion, the §3.5 row it applies and the grounds, so a
reader can check each one against the controls' Section IV results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum

from mockaudit.domain import Control, Program, criteria_for
from mockaudit.domain.criteria import CRITERIA
from mockaudit.domain.findings import Finding, FindingCode
from mockaudit.domain.run import ControlConclusion, ControlTest, Ground, GroundKind, Opinion
from mockaudit.readiness.evaluation import Context, Outcome, grounds, outcomes

DISCLAIMER_SHARE = 0.5
"""Share of controls without sufficient evidence from which the auditor disclaims."""

PERVASIVE_MIN = 3
"""Fewest criterion groups with grounds that can count as pervasive."""

PERVASIVE_SHARE = 0.5
"""Share of in-scope criteria not met above which failures are pervasive."""

SOURCE = "soc2-domain.md §3.5"

_LIST_LIMIT = 5


class CriterionConclusion(StrEnum):
    """The per-criterion conclusions of findings-format.md's ``criteria`` map."""

    EXCEPTIONS = "exceptions"
    NOT_TESTABLE = "not_testable"
    UNCOVERED = "uncovered"
    NO_EXCEPTIONS = "no_exceptions"


def conclusions(program: Program, tests: Sequence[ControlTest]) -> dict[str, ControlConclusion]:
    """Each control's conclusion; a control the engine did not test is not testable."""
    tested = {t.control: t.conclusion for t in tests}
    return {c.id: tested.get(c.id, ControlConclusion.NOT_TESTABLE) for c in program.controls}


def criterion_map(program: Program, tests: Sequence[ControlTest]) -> dict[str, str]:
    """Every in-scope or mapped criterion → exceptions / not_testable / uncovered / no_exceptions.

    Exceptions win (any control with exceptions); not_testable needs all of the
    criterion's controls to be not testable. Keys are in catalogue order.
    """
    verdicts = conclusions(program, tests)
    mapped = _controls_by_criterion(program)
    wanted = {c.id for c in criteria_for(program.engagement.categories)} | set(mapped)
    out: dict[str, str] = {}
    for crit in CRITERIA:
        if crit.id not in wanted:
            continue
        found = [verdicts[c.id] for c in mapped.get(crit.id, ())]
        if not found:
            out[crit.id] = CriterionConclusion.UNCOVERED.value
        elif ControlConclusion.EXCEPTIONS in found:
            out[crit.id] = CriterionConclusion.EXCEPTIONS.value
        elif all(v is ControlConclusion.NOT_TESTABLE for v in found):
            out[crit.id] = CriterionConclusion.NOT_TESTABLE.value
        else:
            out[crit.id] = CriterionConclusion.NO_EXCEPTIONS.value
    return out


def _controls_by_criterion(program: Program) -> dict[str, tuple[Control, ...]]:
    out: dict[str, list[Control]] = {}
    for control in program.controls:
        for crit in control.criteria:
            out.setdefault(crit, []).append(control)
    return {k: tuple(v) for k, v in out.items()}


def likely_opinion(
    findings: Sequence[Finding], tests: Sequence[ControlTest], program: Program
) -> tuple[Opinion, str]:
    """The seeded run's opinion and its rule (the distribution is in ``distribution``)."""
    context = Context.of(program, findings)
    results = outcomes(program, tests, findings)
    opinion, rule, _ = decide(context, results, notes=notes(findings))
    return opinion, rule


def notes(findings: Sequence[Finding]) -> tuple[str, ...]:
    """What is reported but is not a ground by itself (named in the unqualified rule)."""
    unsampled = [
        f.control
        for f in findings
        if f.code is FindingCode.SAMPLE_DEVIATION and f.sampled is False and f.control
    ]
    ownerless = [f.control for f in findings if f.code is FindingCode.CONTROL_OWNERLESS]
    divergent = [f.policy for f in findings if f.code is FindingCode.POLICY_PRACTICE_DIVERGENCE]
    out = []
    if unsampled:
        out.append(
            f"deviations the auditor's sample did not contain ({_names(unsampled)}) are a risk"
            " of an exception"
        )
    if ownerless:
        out.append(f"ownerless controls ({_names(c for c in ownerless if c)}) are a readiness risk")
    if divergent:
        out.append(
            f"policies worded stricter than practice ({_names(p for p in divergent if p)}) need"
            " a description fix"
        )
    return tuple(out)


def decide(
    context: Context, results: Mapping[str, Outcome], *, notes: Sequence[str] = ()
) -> tuple[Opinion, str, tuple[Ground, ...]]:
    """The opinion for one set of control outcomes, its rule in words, and its grounds."""
    found = tuple(grounds(context, results))
    limited = [c for c in context.controls if results[c].scope_limited]
    if context.controls and len(limited) >= DISCLAIMER_SHARE * len(context.controls):
        share = round(100 * len(limited) / len(context.controls))
        return (
            Opinion.DISCLAIMER,
            f"disclaimer: {len(limited)} of {len(context.controls)} controls ({share}%, "
            f"threshold {round(100 * DISCLAIMER_SHARE)}%) have a scope limitation — population "
            f"or sampled evidence not produced: {_names(limited)} "
            f"({SOURCE}: sufficient evidence cannot be obtained)",
            found,
        )
    failures = [g for g in found if g.kind is not GroundKind.SCOPE_LIMITATION]
    failing = list(dict.fromkeys(_group(g.criterion) for g in failures))
    unmet = list(dict.fromkeys(g.criterion for g in failures))
    in_scope = len(context.in_scope)
    if len(failing) >= PERVASIVE_MIN and len(unmet) > PERVASIVE_SHARE * in_scope:
        return (
            Opinion.ADVERSE,
            f"adverse: {len(unmet)} of {in_scope} in-scope criteria are not met, in"
            f" {len(failing)} criterion groups ({_names(failing)}; thresholds: more than"
            f" {round(100 * PERVASIVE_SHARE)}% of the criteria, at least {PERVASIVE_MIN}"
            " groups); "
            + _grounds_text(found)
            + f" ({SOURCE}: deficiencies material and pervasive)",
            found,
        )
    if found:
        return (
            Opinion.QUALIFIED,
            "qualified: "
            + _grounds_text(found)
            + f" ({SOURCE}: a specific, limited material issue)",
            found,
        )
    return Opinion.UNQUALIFIED, _unqualified_rule(context, results, notes), found


def _grounds_text(found: Sequence[Ground]) -> str:
    """Criteria sharing the same ground text joined: "CC6.1, CC6.2 — IAM-04 did not …"."""
    by_text: dict[str, list[str]] = {}
    for ground in found:
        by_text.setdefault(ground.text, []).append(ground.criterion)
    parts = [f"{', '.join(dict.fromkeys(crits))} — {text}" for text, crits in by_text.items()]
    shown = "; ".join(parts[:_LIST_LIMIT])
    more = len(parts) - _LIST_LIMIT
    return shown + (f"; and {more} more" if more > 0 else "")


def _unqualified_rule(
    context: Context, results: Mapping[str, Outcome], notes: Sequence[str]
) -> str:
    noted = [
        f"{cid} ({o.exceptions} of {o.sample})" if o.sample else cid
        for cid, o in results.items()
        if o.exceptions and (o.effective is not None or o.missed)
    ]
    if context.type1:  # no operating period to speak of (soc2-domain.md §3.6)
        text = (
            "unqualified: every in-scope criterion is met by a control suitably designed "
            f"and implemented as of {context.as_of}"
        )
    else:
        text = "unqualified: every in-scope criterion is met by a control that operated effectively"
    if noted:
        text += (
            f"; exceptions noted in Section IV on {_names(noted)} are within the tolerable rate"
            " or compensated by another control for the same risk and criterion"
        )
    idle = [cid for cid, o in results.items() if o.idle]
    if idle:
        text += f"; {_names(idle)} did not operate in the period (reported, not a modification)"
    for note in notes:
        text += f"; {note}, not a ground by itself"
    return text + f" ({SOURCE})"


def _group(criterion_id: str) -> str:
    """``CC6`` for ``CC6.2``: the criterion's series, the unit of pervasiveness."""
    return criterion_id.partition(".")[0]


def _names(ids: Iterable[str]) -> str:
    listed = list(dict.fromkeys(ids))
    shown = ", ".join(listed[:_LIST_LIMIT])
    more = len(listed) - _LIST_LIMIT
    return f"{shown} and {more} more" if more > 0 else shown
