"""What a walkthrough rehearsal may know, and the documented side of one control.

The session gathers ``VaultFacts`` (the program and every evidence item with its links,
item dates and custody date) because fieldwork never opens a file or the vault. A
``Context`` is computed once per rehearsal: the period, the population, the people the
answers may name and the evidence that belongs to the control.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from mockaudit.domain import Control, Person, Population, Program
from mockaudit.domain.enums import ReportType
from mockaudit.fieldwork.walkthrough import mentions as mentions
from mockaudit.fieldwork.walkthrough import parse as parse


@dataclass(frozen=True)
class EvidenceLink:
    """One link of an evidence item; ``item_date`` is the population row's date, if any."""

    control: str = ""
    population: str = ""
    item: str = ""
    item_date: date | None = None


@dataclass(frozen=True)
class EvidenceFact:
    """One evidence item as the rehearsal sees it: id, name, custody date and links."""

    evidence_id: str
    name: str
    collected_on: date
    links: tuple[EvidenceLink, ...] = ()


@dataclass(frozen=True)
class VaultFacts:
    """Everything a rehearsal may know, gathered by the session (fieldwork reads no files)."""

    program: Program
    evidence: tuple[EvidenceFact, ...] = ()
    as_of: date = field(default_factory=lambda: datetime.now(UTC).date())


@dataclass(frozen=True)
class Context:
    """The control and everything documented about it, for the checks to compare with."""

    control: Control
    program: Program
    facts: VaultFacts
    population: Population | None
    period_start: date
    period_end: date
    known: tuple[mentions.PersonNames, ...]
    linked: tuple[EvidenceFact, ...]

    @classmethod
    def build(cls, control: Control, program: Program, facts: VaultFacts) -> Context:
        engagement = program.engagement
        start = engagement.period_start
        if engagement.report_type is ReportType.TYPE1 or start is None:
            start = engagement.period_end - timedelta(days=364)
        population = program.population(control.population) if control.population else None
        known = tuple(mentions.person_names(p.id, p.name, p.email) for p in program.people)
        linked = tuple(e for e in facts.evidence if belongs(e, control) is not None)
        return cls(control, program, facts, population, start, engagement.period_end, known, linked)

    @property
    def as_of(self) -> date:
        return self.facts.as_of

    @property
    def period_text(self) -> str:
        if self.program.engagement.report_type is ReportType.TYPE1:
            return f"the 12 months up to {self.period_end}"
        return f"{self.period_start} to {self.period_end}"

    @property
    def described(self) -> str:
        """The control's own words: title and description."""
        text = self.control.description or self.control.title
        return f'{self.control.id} description: "{text}"'

    def person(self, person_id: str) -> Person | None:
        return self.program.person(person_id)

    def left(self, person: Person) -> bool:
        return person.left_on is not None and person.left_on <= self.as_of

    def scope(self) -> dict[str, str]:
        """Canonical system → how the documents name it: engagement, population, description."""
        out: dict[str, str] = {}
        for name in self.program.engagement.systems:
            out.setdefault(mentions.canonical_system(name), name)
        if self.population is not None:
            out.setdefault(
                mentions.canonical_system(self.population.system), self.population.system
            )
        for mention in mentions.systems(f"{self.control.title}. {self.control.description}"):
            out.setdefault(mention.id, mention.words)
        for fact in self.linked:
            for mention in mentions.systems(fact.name.replace("/", " ").replace("-", " ")):
                out.setdefault(mention.id, mention.words)
        return out

    def scope_text(self) -> str:
        text = "engagement systems: " + (", ".join(self.program.engagement.systems) or "none")
        if self.population is not None:
            text += f'; population {self.population.id}: system = "{self.population.system}"'
        return text


def belongs(fact: EvidenceFact, control: Control) -> EvidenceLink | None:
    """The link that ties evidence to a control: direct, or through the control's population."""
    for link in fact.links:
        if link.control == control.id:
            return link
    for link in fact.links:
        if control.population and link.population == control.population:
            return link
    return None


def is_instance(fact: EvidenceFact, control: Control) -> bool:
    """Evidence of one occurrence (linked to the control or to an item), not a whole list."""
    link = belongs(fact, control)
    return link is not None and (link.control == control.id or bool(link.item))


def instance_date(fact: EvidenceFact, control: Control) -> tuple[date, date, str]:
    """When the shown evidence happened: the item's date, a date in its name, else custody.

    Returns (first, last, how) — a date written as a month covers the whole month.
    """
    link = belongs(fact, control)
    if link is not None and link.item_date is not None:
        return link.item_date, link.item_date, f"item {link.item} dated {link.item_date}"
    named = _dated_name(fact.name)
    if named is not None:
        return named.first, named.last, f"dated {named.words} by its name"
    return fact.collected_on, fact.collected_on, f"collected into the vault on {fact.collected_on}"


def _dated_name(name: str) -> parse.DayRange | None:
    spaced = re.sub(r"[_/]", " ", name)
    found = [d for d in parse.dates(spaced) if d.first.year >= 2000]
    return found[-1] if found else None


def sources_for(facts: Iterable[EvidenceFact], control: Control) -> list[EvidenceFact]:
    """The evidence a picker should offer first: what belongs to the control, single instances
    before whole lists, newest first."""
    linked = [f for f in facts if belongs(f, control) is not None]

    def order(fact: EvidenceFact) -> tuple[bool, date, str]:
        return is_instance(fact, control), instance_date(fact, control)[1], fact.evidence_id

    return sorted(linked, key=order, reverse=True)
