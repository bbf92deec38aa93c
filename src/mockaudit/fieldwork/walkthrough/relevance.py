"""Whether an answer is about this question and this control, not a sentence for any.

Why: a rehearsal that scores any fluent sentence teaches nothing. An answer with nothing
to check it against ("answered") must at least share a content word with the question,
the control (title, description, population, systems) or its people; the same sentence
given again to a different question is a script, not an answer. Names that look like a
person's but are nobody of the program are reported as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from mockaudit.fieldwork.walkthrough import mentions as mentions
from mockaudit.fieldwork.walkthrough import parse as parse
from mockaudit.fieldwork.walkthrough.facts import Context

_WORD = re.compile(r"[a-z][a-z0-9]{2,}")  # "mfa", "sso" count
_STEM = 5  # "reviews" and "reviewed", "approval" and "approvers" share their first letters
# Words any answer about any control may use: they show nothing about this one.
_GENERIC = frozenset(
    """
    about after again also always because been before being carefully could does doing done
    each every everything following follow follows from handle handled handles have here into
    just like make makes more most need needs never other over process processes procedure
    properly really should some sure that their them then there these they thing things this
    those time times under very well were what when where which while will with would your
    ours documented document correct correctly good team company usual usually always
    the and our for any all are was has had not but you can get how who why its may one two
    use set too way yes see did got per off new old out own day put say lot bit
    """.split()
)
# What any control is about (risks, records, reviews): an answer in these words is about
# controls, even when it shares no word with this one's description ("spot phishing").
_AUDIT_STEMS = frozenset(
    """
    risk threa phish incid breac attac fraud unaut secur error mista misus leak loss malwa
    vulne compl audit evide contr revie appro acces chang recor ticke alert monit log logs
    train polic custo data priva encry backu resto outag avail confi integ permi role
    users accou vendo emplo staff hire termi offbo onboa patch deplo merge test tests
    """.split()
)
_NOT_NAMES = frozenset(
    """
    the we our it this that when every each yes no not i you they he she a an in on at for
    to of and or but if then there here monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november
    december q1 q2 q3 q4 soc type pr prs ci cd it hr
    """.split()
)
_ACTS = (
    r"(?:does|do|did|runs|ran|reviews|reviewed|performs|performed|handles|handled|covers|"
    r"covered|approves|approved|owns|owned|checks|checked|signs|signed)"
)
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_FULL_NAME = re.compile(rf"\b({_NAME}(?:\s+{_NAME}){{1,2}})\b")
_ACTING_NAME = re.compile(rf"\b({_NAME})\s+{_ACTS}\b")


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in _WORD.findall(parse.normalise(text)) if w not in _GENERIC}


def vocabulary(ctx: Context, question_text: str) -> set[str]:
    """The content-word stems of the question and of everything documented on the control."""
    control = ctx.control
    parts: list[str] = [question_text, control.id, control.title, control.description]
    if ctx.population is not None:
        parts += [ctx.population.id, ctx.population.title, ctx.population.system or ""]
    parts += ctx.program.engagement.systems
    parts += [p.name for p in ctx.program.people]
    return _stems(" ".join(parts)) | _AUDIT_STEMS


def relevant(ctx: Context, question_text: str, answer: str) -> bool:
    """Whether the answer shares a content word with the question or the control."""
    return bool(_stems(answer) & vocabulary(ctx, question_text))


def repeats(answer: str, earlier: Iterable[str]) -> int | None:
    """The 0-based index of an earlier answer this one repeats word for word (answers of
    four words or more: "No." may rightly answer two questions), else None."""
    if mentions.word_count(answer) < 4:
        return None
    key = " ".join(parse.normalise(answer).split())
    for index, text in enumerate(earlier):
        if " ".join(parse.normalise(text).split()) == key:
            return index
    return None


def unknown_names(answer: str, known: Sequence[mentions.PersonNames]) -> list[str]:
    """Person-like names in the answer ("Jane Doe", "Zed does it") that are nobody of the
    program; systems and the program's people are not reported."""
    systems = {parse.normalise(m.words) for m in mentions.systems(answer)}
    forms = {form for person in known for form in person.names}
    found: list[str] = []
    for pattern in (_FULL_NAME, _ACTING_NAME):
        for match in pattern.finditer(answer):
            name = match.group(1)
            words = [w for w in parse.normalise(name).split() if w not in _NOT_NAMES]
            if not words or any(w in forms or w in systems for w in words):
                continue
            if parse.normalise(name) in forms:
                continue
            shown = " ".join(w for w in name.split() if w.lower() not in _NOT_NAMES)
            taken = {w for name in found for w in name.split()}
            if shown and not set(shown.split()) <= taken:
                found.append(shown)
    return found
