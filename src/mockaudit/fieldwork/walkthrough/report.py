"""Rolling rehearsals up per owner, and the Markdown transcript an owner studies.

Readiness uses the latest rehearsal of each control an owner holds: an owner is ready
when every control was rehearsed with no divergence, no evasion and a corroborated last
instance.
"""

from __future__ import annotations

from collections.abc import Iterable

from mockaudit.domain import Program
from mockaudit.domain.walkthrough import Verdict, WalkthroughResult
from mockaudit.domain.walkthrough_readiness import (
    OwnerReadiness,
    WalkthroughRecord,
    latest_by_control,
)


def owner_readiness(program: Program, records: Iterable[WalkthroughRecord]) -> list[OwnerReadiness]:
    """Per owner: the latest rehearsal of each control they own, rolled up."""
    latest = latest_by_control(records)
    owned: dict[str, list[str]] = {}
    for control in program.controls:
        if control.owner:
            owned.setdefault(control.owner, []).append(control.id)
    for record in latest.values():
        if record.owner and record.control_id not in owned.get(record.owner, []):
            owned.setdefault(record.owner, [])
    out = []
    for owner_id, controls in owned.items():
        mine = [latest[c] for c in controls if c in latest]
        person = program.person(owner_id)
        out.append(
            OwnerReadiness(
                owner=owner_id,
                name=person.name if person else owner_id,
                controls=tuple(controls),
                rehearsed=tuple(r.control_id for r in mine),
                score=round(sum(r.score for r in mine) / len(mine), 1) if mine else None,
                divergences=sum(len(r.divergences) for r in mine),
                evasions=sum(len(r.evasions) for r in mine),
                not_corroborated=sum(1 for r in mine if not r.corroborated),
            )
        )
    return sorted(out, key=lambda r: (r.score is not None, r.score or 0.0, r.owner))


_MARKS = {
    Verdict.CONSISTENT: "consistent",
    Verdict.ANSWERED: "answered",
    Verdict.GAP: "gap",
    Verdict.EVASIVE: "EVASIVE",
    Verdict.CONTRADICTION: "CONTRADICTION",
    Verdict.SKIPPED: "skipped",
}


def _quote(text: str) -> str:
    lines = text.strip().splitlines() or ["(no answer)"]
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def transcript_markdown(result: WalkthroughResult) -> str:
    """The rehearsal as Markdown, for the owner to study before the real walkthrough."""
    who = f"{result.owner_name} ({result.owner})" if result.owner_name else (result.owner or "none")
    title = result.walkthrough_id or "(not saved)"
    out = [
        f"# Walkthrough rehearsal {title}: {result.control_id}",
        "",
        f"**{result.control_title}**",
        "",
        f"- Owner: {who}",
        f"- Family: {result.family.value}",
        f"- Period: {result.period}",
        f"- Rehearsed: {result.started_at}",
        f"- Score: {result.score:.1f} / 100",
        f"- Divergences: {len(result.findings)}"
        + (f" ({', '.join(result.divergences)})" if result.findings else ""),
        f"- Evasive answers to required questions: {len(result.evasions)}",
        f"- Last instance corroborated: {'yes' if result.corroboration.corroborated else 'no'}",
        "",
        "## Questions",
    ]
    for number, step in enumerate(result.steps, start=1):
        q, fb = step.question, step.feedback
        required = ", required" if q.required else ""
        score = "" if fb.score is None else f" ({fb.score:.1f})"
        out += ["", f"### {number}. {q.text}", "", f"*{q.check.value}{required}*", ""]
        out += [_quote(fb.answer) if fb.answer else "> (no answer)", ""]
        out.append(f"**{_MARKS[fb.verdict]}**{score}: {fb.message}")
        if fb.documented and fb.verdict in (Verdict.CONTRADICTION, Verdict.GAP):
            out += ["", f"Documented: {fb.documented}"]
    c = result.corroboration
    shown = f"{c.evidence_id} ({c.evidence_name})" if c.evidence_name else (c.evidence_id or "none")
    out += ["", "## Last instance shown", "", f"- Evidence: {shown}", f"- {c.message}"]
    if result.findings:
        out += ["", "## Findings", ""]
        out += [f"- **{f.title}**. {f.detail}" for f in result.findings]
    out += ["", "## What to practise", ""]
    tips = _tips(result)
    out += [f"- {tip}" for tip in tips] if tips else ["- Nothing: this rehearsal was clean."]
    return "\n".join(out) + "\n"


def _tips(result: WalkthroughResult) -> list[str]:
    tips = []
    for step in result.steps:
        fb = step.feedback
        if fb.verdict is Verdict.CONTRADICTION:
            tips.append(
                f"{step.question.id}: align your answer with the documents, or fix the "
                f"documents: {fb.documented}."
            )
        elif fb.verdict is Verdict.EVASIVE and step.question.required:
            tips.append(f"{step.question.id}: prepare a plain, factual answer ({fb.message})")
    if not result.corroboration.corroborated:
        tips.append(
            "Have the evidence of the last in-period instance ready and linked to the "
            "control in the vault."
        )
    return tips
