"""Verdicts on walkthrough answers and the small helpers every check shares.

Why separate: both check modules build the same kinds of outcome (an evasion, a
contradiction quoting the answer and the documents, a plain "noted"), and the scores of
each verdict are one table, here.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockaudit.domain.walkthrough import Verdict
from mockaudit.fieldwork.walkthrough import mentions as mentions
from mockaudit.fieldwork.walkthrough import parse as parse
from mockaudit.fieldwork.walkthrough.facts import Context


@dataclass(frozen=True)
class Outcome:
    """The verdict on one answer, the feedback to show, and what it was compared with."""

    verdict: Verdict
    message: str
    documented: str = ""
    aspect: str = ""


def evasive(reason: str) -> Outcome:
    return Outcome(Verdict.EVASIVE, f"Evasive: {reason}. The auditor would note it and come back.")


def contradiction(answer: str, said: str, reason: str, documented: str, aspect: str) -> Outcome:
    said = parse.as_written(answer, said)
    message = f"Contradiction: you said “{said}”, but {reason} ({documented})."
    return Outcome(Verdict.CONTRADICTION, message, documented, aspect)


def hedged(outcome: Outcome, answer: str) -> Outcome:
    found = mentions.hedges(answer)
    if not found or outcome.verdict not in (Verdict.CONSISTENT, Verdict.ANSWERED):
        return outcome
    note = f" You hedged (“{found[0]}”): say it plainly, hedging weakens inquiry evidence."
    return Outcome(outcome.verdict, outcome.message + note, outcome.documented, outcome.aspect)


def dodges(answer: str) -> bool:
    """Too short to be an answer, or mostly a dodge ("not sure, it depends")."""
    words = mentions.word_count(answer)
    return words < 4 or (bool(mentions.hedges(answer)) and words < 12)


def free_text(ctx: Context, answer: str) -> Outcome:
    if dodges(answer):
        return evasive("the answer does not describe anything an auditor can test")
    return Outcome(Verdict.ANSWERED, "Noted.")
